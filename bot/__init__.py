"""lossbot: the daily figures of Russia's losses in Ukraine, as published by Ukraine's General Staff."""
