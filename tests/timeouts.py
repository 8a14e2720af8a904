"""The two client timeouts the tests use. Neither decides a result on a loaded machine.

A fault that must last "while" something else happens holds its request until
the test releases it (`Fault.hold` in clarion/sandbox/server.py), never for a
number of seconds.

- GENEROUS: where nothing may time out. An answered request here takes
  milliseconds, and the test releases every hold it sets before a client could
  give up: only a bug (a hold never released) reaches it.
- GIVE_UP: where a held request must time out. It is never answered while it is
  held, so the client gives up whatever the load; the other requests of such a
  test are answered in milliseconds, far below it. It is short only so that those
  tests are quick.
"""

from __future__ import annotations

GENEROUS = 60.0
GIVE_UP = 2.0
