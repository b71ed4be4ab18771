"""Local runners: the data plane that the emulator lacks, done for real on this machine.

moto models the control plane (catalogues, jobs, tasks, clusters) but never moves data. The
runners here make the effect happen so that, after a lab, the emulated S3 holds what a real run
would have produced. Among them (each module's docstring says what it does and cites AWS's docs):

- ``jobs``    job scripts run as real subprocesses with the service's argument/environment
              contract and ``AWS_ENDPOINT_URL`` pointing at the emulator (Glue Python shell,
              EMR/Spark steps);
- ``sql``     Athena-style SQL over the Glue Data Catalog, executed by DuckDB over the objects
              fetched from the emulator, results written back as CSV;
- ``crawler`` a Glue crawler: schema inference with pyarrow, tables and partitions created
              through the Glue API;
- ``dms``     a DMS task: table mappings applied to an SQLite source, full-load and CDC files
              written to S3 as DMS writes them;
- ``s3io``    moving objects between (emulated) S3 and the scratch folder, as Hive readers do;
- ``sagemaker_runner`` / ``sagemaker_hosting``  SageMaker's training container contract (the
              ``/opt/ml`` tree, ``SM_*`` environment, File/FastFile/Pipe input, logs, metrics,
              ``model.tar.gz``) and its inference contract (``/ping``, ``/invocations``), no Docker;
- ``firehose``, ``stream_sql``, ``kcl``  Firehose delivery, Kinesis Data Analytics windows in
              DuckDB, a KCL-style checkpointing consumer with DynamoDB leases;
- ``cloudtrail``  CloudTrail log files and digests recorded from the lab's own API calls;
- ``annotators``, ``classification_metrics``, ``figures``, ``seasonal_forecast``, ``svc_train``
              the ML work of the EDA and modelling labs, done with the field's libraries.

These runners take the lab context (``ctx``) and talk to the emulator only through
``ctx.client()`` / ``ctx.subprocess_env()``; heavy libraries are imported inside functions.
"""
