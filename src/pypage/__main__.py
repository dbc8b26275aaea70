from pypage.cli import run

run()
