"""Audio shared by analysis and playback: the one decoder (libsndfile, else an ffmpeg pipe).

numpy and soundfile are imported inside functions, so importing this package costs nothing.
"""
