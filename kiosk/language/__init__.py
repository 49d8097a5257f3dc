"""Words: the language packs, the one vocabulary of (phrase, meaning) that typing and every
grammar share, parsing, and the words of results and of the read-back."""
