"""Local stand-ins of the networks' HTTP APIs, for `clarion publish --sandbox` and the tests.

Each stand-in listens on 127.0.0.1 only, answers what the real service answers
for the calls Clarion makes (shapes, status codes, headers, error bodies), and
records what it received so the sandbox can print it.
"""
