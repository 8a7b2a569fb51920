"""tools/aenn-eval loaded as a module, for the benches that reuse its
protocol (noise, image loading, PSNR) and its element runner."""
import importlib.machinery
import importlib.util
import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_tool = os.path.join(REPO, 'tools', 'aenn-eval')
_loader = importlib.machinery.SourceFileLoader('aenn_eval', _tool)
_spec = importlib.util.spec_from_loader('aenn_eval', _loader)
ae = importlib.util.module_from_spec(_spec)
_loader.exec_module(ae)
