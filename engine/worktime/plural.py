"""Russian plural forms for numbers («1 час», «2 часа», «5 часов»)."""


def plural(n: int, one: str, few: str, many: str) -> str:
    """Pick the form that agrees with the number n (1 → one, 2–4 → few, 5–20 → many)."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many
