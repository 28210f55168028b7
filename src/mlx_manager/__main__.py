import sys

from mlx_manager.cli import main

sys.exit(main())
