"""Speaking: speech synthesised in memory, played in short blocks so it stops at once,
earcons, and barge-in."""
