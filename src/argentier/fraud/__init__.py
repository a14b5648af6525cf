"""Fraud detection: behavioural features, gradient-boosted and online models, rules, real-time scoring."""
