"""The 41 CUAD clause categories, named exactly as in CUAD's ``categories.json``, with their descriptions."""

from __future__ import annotations

__all__ = ["CATEGORIES", "CATEGORY_DESCRIPTIONS", "validate_category"]

from argentier.errors import InputError

# Descriptions paraphrase CUAD v1's category_descriptions.csv (CC BY 4.0, The Atticus Project).
CATEGORY_DESCRIPTIONS: dict[str, str] = {
    "Document Name": "The name of the contract.",
    "Parties": "The two or more parties who signed the contract.",
    "Agreement Date": "The date of the contract.",
    "Effective Date": "The date when the contract is effective.",
    "Expiration Date": "The date on which the contract's initial term expires.",
    "Renewal Term": "The renewal term after the initial term expires, including automatic extensions.",
    "Notice Period To Terminate Renewal": "The notice period required to terminate renewal.",
    "Governing Law": "Which state's or country's law governs the interpretation of the contract.",
    "Most Favored Nation": "If a third party gets better terms, the buyer is entitled to those better terms.",
    "Competitive Restriction Exception": "Exceptions or carve-outs to non-compete, exclusivity or no-solicit.",
    "Non-Compete": "A restriction on competing with the counterparty or operating in a field or territory.",
    "Exclusivity": "An exclusive dealing commitment with the counterparty.",
    "No-Solicit Of Customers": "A party may not solicit customers of the counterparty.",
    "No-Solicit Of Employees": "A party may not solicit or hire employees of the counterparty.",
    "Non-Disparagement": "A requirement not to disparage the counterparty.",
    "Termination For Convenience": "A party may terminate without cause, solely by giving notice.",
    "Rofr/Rofo/Rofn": "A right of first refusal, first offer or first negotiation.",
    "Change Of Control": "Rights on a change of control, merger or sale of a party.",
    "Anti-Assignment": "Consent or notice is required to assign the contract.",
    "Revenue/Profit Sharing": "A party must share revenue or profit with the counterparty.",
    "Price Restrictions": "A restriction on raising or reducing prices.",
    "Minimum Commitment": "A minimum order size or minimum amount or units per period.",
    "Volume Restriction": "A fee increase or consent requirement above a volume threshold.",
    "Ip Ownership Assignment": "Intellectual property created by one party becomes the counterparty's.",
    "Joint Ip Ownership": "Joint or shared ownership of intellectual property.",
    "License Grant": "A licence granted by one party to the other.",
    "Non-Transferable License": "A limit on transferring the licence to a third party.",
    "Affiliate License-Licensor": "A licence grant by the affiliates of the licensor.",
    "Affiliate License-Licensee": "A licence grant to the affiliates of the licensee.",
    "Unlimited/All-You-Can-Eat-License": "A licence with unlimited use or copies.",
    "Irrevocable Or Perpetual License": "An irrevocable or perpetual licence.",
    "Source Code Escrow": "Source code is deposited with an escrow agent.",
    "Post-Termination Services": "Obligations after termination or expiration, such as transition or wind-down.",
    "Audit Rights": "A right to audit the books, records or premises of the counterparty.",
    "Uncapped Liability": "A party's liability is uncapped on a breach.",
    "Cap On Liability": "A cap on liability on a breach of the contract.",
    "Liquidated Damages": "Liquidated damages or a termination fee.",
    "Warranty Duration": "The duration of a warranty against defects or errors.",
    "Insurance": "A requirement to maintain insurance.",
    "Covenant Not To Sue": "A party may not contest or sue the counterparty over its IP or other matters.",
    "Third Party Beneficiary": "A non-party to the contract is a beneficiary of some of its clauses.",
}
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_DESCRIPTIONS)


def validate_category(name: str) -> str:
    """``name`` itself when it is a CUAD category; otherwise an :class:`InputError` listing the closest names.

    >>> validate_category("Governing Law")
    'Governing Law'
    """
    if name in CATEGORY_DESCRIPTIONS:
        return name
    lowered = {category.lower(): category for category in CATEGORIES}
    if name.lower() in lowered:
        raise InputError(f"unknown clause category {name!r}; did you mean {lowered[name.lower()]!r}?")
    raise InputError(f"unknown clause category {name!r}; expected one of the 41 CUAD categories")
