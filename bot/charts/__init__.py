"""Charts: what a chart shows (data), drawing it as a PNG (draw), and the drawn charts kept (cache)."""
