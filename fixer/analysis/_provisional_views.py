"""PROVISIONAL: hand lists standing in for the generated view tables until they land."""
from typing import Any

VIEW = ["view", "view_as", "transpose", "t", "permute", "expand", "expand_as", "narrow", "select", "squeeze",
        "unsqueeze", "unflatten", "unfold", "diagonal", "detach", "as_strided", "movedim", "moveaxis", "swapaxes",
        "swapdims", "view_as_real", "view_as_complex", "numpy", "indices", "values", "adjoint", "conj", "real", "imag"]
MAYBE = ["reshape", "reshape_as", "flatten", "ravel", "contiguous", "to", "type", "type_as", "float", "double", "half",
         "bfloat16", "long", "int", "bool", "cpu", "cuda", "short", "byte", "char"]
MULTI = ["chunk", "split", "unbind", "tensor_split", "split_with_sizes", "hsplit", "vsplit", "dsplit", "unsafe_chunk"]
ATTRS = ["T", "mT", "H", "mH", "real", "imag", "data"]
FUNCS = ["narrow", "moveaxis", "movedim", "swapaxes", "swapdims", "transpose", "t", "select", "squeeze", "unsqueeze",
         "diagonal", "detach", "as_strided", "view_as_real", "view_as_complex", "permute", "unflatten", "adjoint"]
FUNCS_MAYBE = ["reshape", "flatten", "ravel", "as_tensor", "asarray", "from_numpy", "atleast_1d", "atleast_2d",
               "atleast_3d", "broadcast_to", "nn.functional.dropout", "nn.functional.dropout1d", "nn.functional.dropout2d",
               "nn.functional.dropout3d", "nn.functional.alpha_dropout", "nn.functional.feature_alpha_dropout",
               "nn.functional.identity"]
FUNCS_ALL = ["broadcast_tensors", "meshgrid"]


def build(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    methods = {m: {"kind": "view"} for m in VIEW} | {m: {"kind": "maybe"} for m in MAYBE}
    methods |= {m: {"kind": "view", "multi": True} for m in MULTI}
    functions = {f"torch.{f}": {"kind": "view"} for f in FUNCS} | {f"torch.{f}": {"kind": "maybe"} for f in FUNCS_MAYBE}
    functions |= {f"torch.{f}": {"kind": "view", "multi": True} for f in MULTI}
    functions |= {f"torch.{f}": {"kind": "view", "of": "all", "multi": True} for f in FUNCS_ALL}
    views = {"methods": methods, "attributes": {a: {"kind": "view"} for a in ATTRS}, "functions": functions}
    pure_methods = set(raw["tensor_method_ops"]) - set(methods) | {"clone", "sum", "mean", "size", "dim", "item",
                                                                   "tolist", "numel", "new_zeros", "new_ones", "new_full",
                                                                   "new_empty", "new_tensor", "masked_fill", "where"}
    ops = set(raw["saves"]) | set(raw["tensor_method_ops"].values())
    pure_functions = {f"torch.{o}" for o in ops} | {f"torch.nn.functional.{o}" for o in ops}
    pure_functions |= {"torch.cat", "torch.stack", "torch.zeros", "torch.ones", "torch.randn", "torch.rand",
                       "torch.zeros_like", "torch.ones_like", "torch.empty", "torch.full", "torch.arange",
                       "torch.tensor", "torch.nn.functional.linear", "torch.nn.functional.softmax", "torch.sigmoid",
                       "torch.einsum", "torch.where", "torch.clone"}
    try:
        import torch, inspect
        for mod, prefix in ((torch, "torch."), (torch.nn.functional, "torch.nn.functional."), (torch.linalg, "torch.linalg."),
                            (torch.fft, "torch.fft."), (torch.special, "torch.special.")):
            for n in dir(mod):
                if not n.startswith("_") and n[0].islower() and callable(getattr(mod, n)) and not inspect.isclass(getattr(mod, n)) and not n.endswith("_"):
                    pure_functions.add(prefix + n)
    except ImportError:
        pass
    pure_functions -= set(functions)
    return views, sorted(pure_functions), sorted(pure_methods - {"register_hook", "retain_grad"})
