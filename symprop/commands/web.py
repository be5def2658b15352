"""`symprop web --out DIR [--serve] [--force]`: write the self-check page (symprop.web)
into a folder and, with --serve, serve it on localhost (browsers do not run Pyodide's
WebAssembly from a file:// page)."""

import os
import sys

from ..errors import printable

__all__ = ["add_parser", "run_web"]


def add_parser(sub, common, formatter):
    from .helptext import epilog

    web = sub.add_parser("web", parents=[common], formatter_class=formatter, epilog=epilog("web"),
                         help="write the self-check web page (symprop in the browser, Pyodide)",
                         description="Write a static web page where students pick an exercise, "
                                     "type their answers\nand get symprop's verdicts, and reveal "
                                     "the worked solution step by step.\nIt runs symprop in the "
                                     "browser (Pyodide): no server, nothing sent anywhere.\n"
                                     "The first build downloads Pyodide and KaTeX (npm) and the "
                                     "wheels (PyPI) into\n~/.cache/symprop/web "
                                     "(SYMPROP_WEB_CACHE); later builds are offline.")
    web.add_argument("--out", default=os.path.join("output", "web"), metavar="DIR",
                     help="the folder to write into (default output/web)")
    web.add_argument("--serve", action="store_true",
                     help="then serve the folder on http://127.0.0.1:PORT/ until Ctrl-C")
    web.add_argument("--port", type=int, default=None, choices=range(0, 65536), metavar="PORT",
                     help="with --serve: the port (default 8000; 0 picks a free one)")
    web.add_argument("--force", action="store_true",
                     help="write into a folder holding files symprop did not write")
    web.add_argument("--debug", action="store_true", help="show tracebacks")


def run_web(args, out):
    from ..web.build import build, serve
    from .options import refuse
    from .streams import said

    if args.port is not None and not args.serve:
        refuse("--port", "applies only with --serve")
    names = build(args.out, force=args.force)
    said(out, f"wrote the self-check page ({len(names)} files) to {printable(args.out, 200)}; "
              "open it through a web server (symprop web --serve), not as a file", args.quiet)
    if args.serve:
        def ready(url):
            print(f"serving {printable(args.out, 200)} at {url} (Ctrl-C stops)", file=sys.stderr, flush=True)

        serve(args.out, port=8000 if args.port is None else args.port, ready=ready)
    return 0
