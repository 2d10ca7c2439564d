"""OrleansFaas Python worker: runs one Lambda-style Python handler per process.

The silo starts ``python3 -m faas_worker --socket <path>`` and drives it over the
``faas.worker.v1.Worker`` gRPC service (protos/faas/worker/v1/worker.proto).
"""
