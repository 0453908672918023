from liaison.cli.main import main

main()
