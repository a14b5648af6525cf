"""Product profitability: margins, variance bridges, cost drivers, what-ifs, elasticity and pricing.

Load sales lines and unit costs once (:class:`ProfitData`, validated, exact integer minor units in DuckDB), then:

- :func:`contribution_margin` by any grouping, with its margin waterfall;
- :func:`variance_bridge` between two periods or versions (price, volume, mix, a cost-rate effect per driver,
  new and discontinued items; the effects sum exactly to the change) and :func:`attribute_drivers` on it;
- :func:`simulate_whatif` for cost or price changes, exact at fixed volume, elasticity-adjusted on request;
- :class:`ElasticityEstimator` (log-log with controls, double ML, naive) on a :func:`price_panel`, and
  :func:`iv_elasticity` (2SLS) where price is endogenous;
- :func:`recommend_prices` on a ladder (MILP or CP-SAT) from :func:`pricing_items`, :func:`promotion_roi`;
- :func:`generate_profit_demo` writes a catalogue with known elasticities and cost shocks to try all of it.
"""

from argentier.profitability._charts import write_waterfall
from argentier.profitability._data import SALES_REQUIRED, STANDARD_DRIVERS, ProfitData, parse_period
from argentier.profitability._demo import DEMO_COST_DRIVERS, CostShock, DemoTruth, generate_profit_demo
from argentier.profitability._drivers import (
    CellEffect,
    DriverAttribution,
    DriverEffect,
    ItemAttribution,
    attribute_drivers,
)
from argentier.profitability._elasticity import (
    ElasticityEstimate,
    ElasticityEstimator,
    price_panel,
    read_elasticities,
    write_elasticities,
)
from argentier.profitability._iv import IVResult, iv_elasticity
from argentier.profitability._margins import MarginReport, MarginRow, WaterfallStep, contribution_margin
from argentier.profitability._pricing import (
    DEFAULT_LADDER,
    PriceChoice,
    PriceRecommendation,
    PricingItem,
    brute_force_prices,
    recommend_prices,
)
from argentier.profitability._promotions import PromotionEvent, PromotionReport, pricing_items, promotion_roi
from argentier.profitability._variance import (
    BridgeEffect,
    ItemTotals,
    ItemVariance,
    VarianceBridge,
    bridge_from_totals,
    item_totals,
    variance_bridge,
)
from argentier.profitability._whatif import Change, WhatIfResult, WhatIfRow, simulate_whatif

__all__ = [
    "DEFAULT_LADDER",
    "DEMO_COST_DRIVERS",
    "SALES_REQUIRED",
    "STANDARD_DRIVERS",
    "BridgeEffect",
    "CellEffect",
    "Change",
    "CostShock",
    "DemoTruth",
    "DriverAttribution",
    "DriverEffect",
    "ElasticityEstimate",
    "ElasticityEstimator",
    "IVResult",
    "ItemAttribution",
    "ItemTotals",
    "ItemVariance",
    "MarginReport",
    "MarginRow",
    "PriceChoice",
    "PriceRecommendation",
    "PricingItem",
    "ProfitData",
    "PromotionEvent",
    "PromotionReport",
    "VarianceBridge",
    "WaterfallStep",
    "WhatIfResult",
    "WhatIfRow",
    "attribute_drivers",
    "bridge_from_totals",
    "brute_force_prices",
    "contribution_margin",
    "generate_profit_demo",
    "item_totals",
    "iv_elasticity",
    "parse_period",
    "price_panel",
    "pricing_items",
    "promotion_roi",
    "read_elasticities",
    "recommend_prices",
    "simulate_whatif",
    "variance_bridge",
    "write_elasticities",
    "write_waterfall",
]
