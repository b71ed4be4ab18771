"""The Flink SQL version of the lab's queries, packaged as a PyFlink application for Amazon
Managed Service for Apache Flink (the lab uploads this folder as the application code).

To run it for real, add the Kinesis SQL connector jar to the zip (``lib/``) and name it in the
``kinesis.analytics.flink.run.options`` property group ``jarfile``; see
https://docs.aws.amazon.com/managed-flink/latest/java/how-python-creating.html
"""
import json
import os

from pyflink.table import EnvironmentSettings, TableEnvironment

PROPERTIES = "/etc/flink/application_properties.json"  # where Managed Flink puts the properties


def properties(group: str) -> dict:
    if not os.path.exists(PROPERTIES):
        return {}
    for item in json.load(open(PROPERTIES)):
        if item["PropertyGroupId"] == group:
            return item["PropertyMap"]
    return {}


def main():
    source, sink = properties("consumer.config.0"), properties("producer.config.0")
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    env.execute_sql(f"""
        CREATE TABLE readings (sensor STRING, ts TIMESTAMP(3), `value` DOUBLE,
                               WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
        WITH ('connector' = 'kinesis', 'stream' = '{source.get("input.stream.name")}',
              'aws.region' = '{source.get("aws.region")}', 'scan.stream.initpos' = 'TRIM_HORIZON',
              'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601')""")
    env.execute_sql(f"""
        CREATE TABLE windows (sensor STRING, window_start TIMESTAMP(3), events BIGINT, avg_value DOUBLE)
        WITH ('connector' = 'kinesis', 'stream' = '{sink.get("output.stream.name")}',
              'aws.region' = '{sink.get("aws.region")}', 'format' = 'json')""")
    env.execute_sql("""
        INSERT INTO windows
        SELECT sensor, window_start, COUNT(*), AVG(`value`)
        FROM TABLE(TUMBLE(TABLE readings, DESCRIPTOR(ts), INTERVAL '60' SECOND))
        GROUP BY sensor, window_start, window_end""")


if __name__ == "__main__":
    main()
