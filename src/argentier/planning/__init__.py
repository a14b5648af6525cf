"""Operational planning: staffing (Erlang C/A), shift scheduling, supply-chain simulation, capital allocation."""
