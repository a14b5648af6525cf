"""Product profitability: margins, variance bridges, cost drivers, what-ifs, elasticity and pricing."""
