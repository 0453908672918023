"""Reports leaving the node: a marked PDF for people, a signed package for machines.

The caller filters a report for its reader before building a `ReportDocument`; nothing here
makes an access decision. The PDF carries the overall marking on every page; the package binds
the content to its STANAG 4774 label with the node's signature (STANAG 4778 style), so a
recipient can tell that neither was changed after export.
"""
