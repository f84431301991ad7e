"""Jobs on PostgreSQL through procrastinate, a PostgreSQL task queue (issue 24).

The web processes queue a job (`runner.QueueJobRunner`, the service's `JobRunner`); `baoxue
worker` processes on any machine that reaches the database and the shared file store run it
(`worker.run_worker`) through the same `service.jobs.execute_job` as the in-process pool.
Progress, inputs and results stay in the service's own tables; procrastinate holds only
"run job N", who runs it and the workers' heartbeats. A worker that stops sending heartbeats
is taken for dead and its job retried on another, up to the attempts (`recovery`). The
periodic tasks — recovering stalled jobs, the reminders, the nightly backup — go through
the same queue (`tasks`), each deferred once per tick whatever the number of workers.
"""
