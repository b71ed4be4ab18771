"""sales_by_country: a PySpark job for an EMR step (spark-submit) — revenue and orders per country.

    spark-submit --deploy-mode cluster sales_by_country.py --input s3://bucket/raw/sales/ --output s3://bucket/output/sales_by_country/

On EMR the paths are s3:// (EMRFS); under awslabs the local runner stages them as local folders
and runs the same file in Spark local mode.
"""
import argparse

from pyspark.sql import SparkSession
from pyspark.sql import functions as F


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    spark = SparkSession.builder.appName("sales-by-country").getOrCreate()
    sales = spark.read.option("header", True).option("inferSchema", True).csv(args.input)
    result = (
        sales.where(F.col("amount").isNotNull())
        .groupBy("country")
        .agg(F.count("*").alias("orders"), F.round(F.sum("amount"), 2).alias("revenue"))
        .orderBy("country")
    )
    result.coalesce(1).write.mode("overwrite").parquet(args.output)
    spark.stop()


if __name__ == "__main__":
    main()
