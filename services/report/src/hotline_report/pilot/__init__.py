"""`hotline pilot-report`: the pilot evaluation the steering group decides from (issue 13)."""
