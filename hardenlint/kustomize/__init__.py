"""Kustomize rendering with positions: `kubectl kustomize` done inside hardenlint.

- `load`: the files of a run (read and composed once, shared by every kustomization) and the
  kustomization files themselves.
- `nodes`: copy-on-write helpers over PyYAML nodes; values made by a transformer are
  `Synthetic` scalars carrying the marks of the text that produced them.
- `merge` (strategic merge patches), `json6902` (JSON patches), `transformers` (namespace,
  prefix/suffix, labels, annotations, images, replicas, generators, name references, vars),
  `replacements`, `fieldspecs` (built-in and `configurations:` field specs).
- `build`: one kustomization -> rendered `Resource`s, in kustomize's order.
- `lint`: what a run lints (roots), linting rendered objects, findings mapped back to files.

Origin tracking: every node keeps the marks of the text it was read from, and `mark.name` is the
path of that file (nodes are composed from a named stream). A rendered object is a tree that
mixes nodes of several files (base resource, patches, the kustomization). See `lint` for how
findings, suppressions and fixes are mapped back to the file holding the text.
"""
