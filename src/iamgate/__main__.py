from iamgate.cli import main

main()
