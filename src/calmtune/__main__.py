from calmtune.cli import main

main()
