"""One adapter per network behind the interface in `clarion.adapters.base`.

Network client libraries are imported only inside each adapter module, so the
validate path never pays for them.
"""
