from deploy.demo.generator import main

main()
