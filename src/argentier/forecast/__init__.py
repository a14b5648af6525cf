"""Revenue forecasting: statistical and global models, reconciled hierarchies, anomalies, scenarios."""
