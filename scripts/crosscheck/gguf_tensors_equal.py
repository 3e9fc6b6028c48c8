"""Compares the tensors of two GGUF files with gguf-py: name, type, shape and data bytes. Tensors whose
names contain an --explained pattern may differ in type (and so in bytes); they are listed apart,
not counted as failures. Usage: gguf_tensors_equal.py A.gguf B.gguf [--explained PATTERN]...
Exit 1 on any other difference."""
import sys
from gguf import GGUFReader

args = sys.argv[1:]
explained = [args[i + 1] for i, a in enumerate(args) if a == "--explained"]
files = [a for i, a in enumerate(args) if a != "--explained" and (i == 0 or args[i - 1] != "--explained")]
a, b = (GGUFReader(f) for f in files)
ta = {t.name: t for t in a.tensors}
tb = {t.name: t for t in b.tensors}
failures = [f"only in {files[0] if n in ta else files[1]}: {n}" for n in sorted(set(ta) ^ set(tb))]
same, excused = 0, []
for name in sorted(set(ta) & set(tb)):
    x, y = ta[name], tb[name]
    if x.tensor_type == y.tensor_type and list(x.shape) == list(y.shape) and x.data.tobytes() == y.data.tobytes():
        same += 1
        continue
    what = f"{name}: {x.tensor_type.name} {list(map(int, x.shape))} vs {y.tensor_type.name} {list(map(int, y.shape))}"
    if x.tensor_type != y.tensor_type and any(p in name for p in explained):
        excused.append(what)
    else:
        failures.append(what + ("" if x.tensor_type != y.tensor_type else ", same type, different bytes"))
print(f"{files[1]}: {same} tensors identical to {files[0]}; {len(excused)} differ in type as explained "
      f"({', '.join(explained) or 'none'}); {len(failures)} differ otherwise")
for line in excused[:5]:
    print("  explained:", line)
for line in failures[:20]:
    print("  DIFFERENT:", line)
sys.exit(1 if failures else 0)
