"""Dropout cases (辍学个案): a student stops coming, the profile's ladder says what falls
due, each step's document is generated from the case, and the case closes (销号) when the
student is back, transferred or on approved suspension.

Modules: model (the case and its events), calendar (school-day counting), ladder (what is
due when), actions (opening, recording, closing, reopening — every precondition), documents
(each step's form from the case), store (JSON files with an append-only log), workflow (an
action over the store, logged), importing (cases from a daily attendance sheet), report (the
monthly report and the ledgers), demo (`make demo`'s sample cases). The service keeps its
cases in the database (service/ops/cases.py) and calls the same actions.
"""
