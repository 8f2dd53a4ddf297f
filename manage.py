#!/usr/bin/env python
from huifang.cli import main

if __name__ == "__main__":
    main()
