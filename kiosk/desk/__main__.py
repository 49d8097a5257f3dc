from kiosk.desk.app import main

raise SystemExit(main())
