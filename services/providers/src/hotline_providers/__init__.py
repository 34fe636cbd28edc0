"""Provider adapters: telephony systems' own records to the pipeline's contract.

One module per format turns provider records into `CallEventV2` and `AgentEvent` (pure, no
I/O): `asterisk_queue_log`, `connect_ctr`, `connect_agent_events`, `cdr_csv`. Around them:
`hotline convert` (records to JSON lines), `hotline import` (files to the raw topics,
resumable), `hotline follow` (a live queue_log to the raw topics) and `hotline dlq` (look at
and replay dead letters).
"""
