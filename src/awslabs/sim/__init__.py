"""Simulators of documented AWS rules (pure Python, no boto3): what moto does not model."""
