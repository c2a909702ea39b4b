"""Largest-remainder (Hamilton) allocation: a whole number of steps split by weights, exactly
(DESIGN principle 3; REFERENCE 2.3)."""


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights`; the parts sum to `total` exactly.

    Each part is its exact quota `total * w / W` rounded down, and the steps left over go, one each,
    to the parts with the largest fractional remainders. Ties are broken by position: among equal
    remainders the earlier weight gets the step first, so `allocate(100, [1, 1, 1]) == [34, 33, 33]`
    and the same input always gives the same output. Integer arithmetic only (the quotas' remainders
    share the denominator `W`, so they compare as integers): never a float.
    """
    if not weights:
        raise ValueError("at least one weight is needed")
    if any(weight < 0 for weight in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("weights must sum to more than zero")
    if total < 0:
        return [-part for part in allocate(-total, weights)]

    parts = [total * weight // weight_sum for weight in weights]
    remainders = [total * weight % weight_sum for weight in weights]
    left_over = total - sum(parts)  # fewer than len(weights): each quota lost less than one step
    by_largest_remainder = sorted(range(len(weights)), key=lambda index: (-remainders[index], index))
    for index in by_largest_remainder[:left_over]:
        parts[index] += 1
    return parts
