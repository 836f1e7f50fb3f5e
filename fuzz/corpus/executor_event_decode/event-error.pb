:
Executor is being shut down