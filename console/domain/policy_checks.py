"""The tests behind the policy health check: each reads a policy pack and says whether the
statement covers one element a privacy notice must have, and what the statement says about it.

The pack records where each entry comes from (`statement_ref`) and labels what the statement does
not give ("organisation default — not stated in the privacy statement"); a test reads those marks,
so an element the pack only assumes is reported as assumed, never as stated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from console.domain.policy import RECIPIENT_KIND_LABELS, PolicyPack
from console.domain.policy_check_parts import (
    ASSUMED,
    MISSING,
    NOTHING,
    PARTIAL,
    WRONG,
    Check,
    assumed,
    called_by_label,
    disclosed_text,
    name_list,
    quote,
    right_of,
    sharing_classes,
    stated_rights,
)
from console.domain.policy_check_parts import (
    NOT_APPLICABLE as NOT_APPLICABLE,
)
from console.domain.policy_check_parts import (
    OK as OK,
)
from console.domain.policy_check_parts import (
    Result as Result,
)

# --- contacts -----------------------------------------------------------------------------------


def controller_contact(pack: PolicyPack, on: dt.date) -> Result:
    org = pack.organisation
    details = [d for d in (org.postal_address, org.email, org.phone) if d]
    fields = ("organisation.postal_address", "organisation.email", "organisation.phone")
    if details and org.contact_basis and not org.statement_ref:
        # The pack gives contact details the statement does not: the console can answer people,
        # but the statement still names no way to reach the controller.
        return Result(
            ASSUMED,
            f"{quote(pack.contact)} No postal address, e-mail address or telephone number; "
            f"the pack's {'; '.join(details)} is an organisation default ({org.contact_basis}).",
            fields=fields,
        )
    if details:
        return Result(OK, "; ".join(details))
    return Result(
        MISSING,
        f"{quote(pack.contact)} No postal address, e-mail address or telephone number.",
        fields=fields,
    )


def dpo_contact(pack: PolicyPack, on: dt.date) -> Result:
    if pack.organisation.dpo_contact:
        return Result(OK, pack.organisation.dpo_contact)
    return Result(
        MISSING, "No DPO or privacy-office contact.", fields=("organisation.dpo_contact",)
    )


def request_methods(pack: PolicyPack, on: dt.date) -> Result:
    methods = pack.disclosures.request_methods if pack.disclosures else ()
    if len(methods) >= 2:
        return Result(OK, "; ".join(methods))
    says = quote(pack.contact) + " No method to make a request is given."
    status = PARTIAL if methods else MISSING
    return Result(status, says, fields=("disclosures.request_methods",))


# --- purposes and legal bases -------------------------------------------------------------------


def legal_bases(pack: PolicyPack, on: dt.date) -> Result:
    lacking = [p for p in pack.purposes if not p.legal_basis_ref]
    if not lacking:
        return Result(OK, f"A legal basis for each of the {len(pack.purposes)} purposes.")
    note = lacking[0].legal_basis_note
    says = (
        f"{len(pack.purposes)} purposes are listed; {len(lacking)} name no legal basis in the"
        f" statement. The pack's bases are hints: {quote(note)}"
    )
    status = MISSING if len(lacking) == len(pack.purposes) else PARTIAL
    detail = "Purposes without a stated basis: " + name_list(p.label for p in lacking)
    fields = tuple(f"purposes[{pack.purposes.index(p)}].legal_basis_ref" for p in lacking)
    return Result(status, says, detail, fields)


def legitimate_interests(pack: PolicyPack, on: dt.date) -> Result:
    relying = [p for p in pack.purposes if "legitimate_interests" in p.legal_basis]
    if not relying:
        return Result(NOT_APPLICABLE, "No purpose relies on legitimate interests.")
    lacking = [p for p in relying if not p.legitimate_interest]
    if not lacking:
        return Result(OK, "; ".join(f"{p.id}: {p.legitimate_interest}" for p in relying))
    return Result(
        MISSING if len(lacking) == len(relying) else PARTIAL,
        f"{len(lacking)} of the {len(relying)} purposes the pack bases on legitimate interests"
        " state no interest.",
        "Purposes: " + name_list(p.label for p in lacking),
        tuple(f"purposes[{pack.purposes.index(p)}].legitimate_interest" for p in lacking),
    )


# --- recipients, sharing and transfers -----------------------------------------------------------


def _advertising_processors(pack: PolicyPack) -> list[str]:
    ids = {r for c in sharing_classes(pack) for r in c.recipients}
    return [r.id for r in pack.recipients if r.id in ids and r.kind == "processor"]


def _recipient_list(pack: PolicyPack) -> str:
    return "; ".join(f"{r.label} ({RECIPIENT_KIND_LABELS[r.kind]})" for r in pack.recipients)


def recipients(pack: PolicyPack, on: dt.date) -> Result:
    says = _recipient_list(pack)
    wrong = _advertising_processors(pack)
    if wrong:
        return Result(
            PARTIAL,
            says,
            "Typed processor but receiving advertising cookies: "
            + name_list(called_by_label(pack, "recipient", wrong)),
            tuple(f"recipients[{[r.id for r in pack.recipients].index(w)}].kind" for w in wrong),
        )
    return Result(OK, says)


def third_parties(pack: PolicyPack, on: dt.date) -> Result:
    third = [r.label for r in pack.recipients if r.kind == "third_party"]
    if sharing_classes(pack) and not third:
        return Result(
            PARTIAL,
            _recipient_list(pack),
            "No recipient is a third party, yet advertising cookies share data with partners.",
            ("recipients",),
        )
    return Result(OK, "; ".join(third) or "No third parties.")


def advertising_recipients(pack: PolicyPack, on: dt.date) -> Result:
    wrong = _advertising_processors(pack)
    if not wrong:
        return Result(OK, "Advertising recipients are not typed as processors.")
    in_transfers = [t.label for t in pack.transfers if set(t.recipients) & set(wrong)]
    detail = "Recipients: " + name_list(called_by_label(pack, "recipient", wrong))
    if in_transfers:
        detail += "; also in the processor transfers: " + name_list(in_transfers)
    index = [r.id for r in pack.recipients]
    return Result(
        WRONG,
        "; ".join(quote(r.description, r.statement_ref) for r in pack.recipients if r.id in wrong),
        detail,
        tuple(f"recipients[{index.index(w)}].kind" for w in wrong),
    )


def _sharing_quotes(pack: PolicyPack) -> str:
    quotes = [quote(c.description, c.statement_ref) for c in sharing_classes(pack)]
    no_sale = next((c for c in pack.commitments if c.id == "no_sale"), None)
    if no_sale is not None:
        quotes.append(quote(no_sale.text, no_sale.statement_ref))
    return " ".join(quotes)


def sharing_purpose(pack: PolicyPack, on: dt.date) -> Result:
    if not sharing_classes(pack):
        return Result(NOT_APPLICABLE, "No advertising cookies share data.")
    stated = disclosed_text(pack, "sale_or_sharing")
    if stated:
        return Result(OK, stated)
    return Result(MISSING, _sharing_quotes(pack), fields=("disclosures.sale_or_sharing",))


def sale_or_sharing_disclosed(pack: PolicyPack, on: dt.date) -> Result:
    classes = sharing_classes(pack)
    stated = disclosed_text(pack, "sale_or_sharing")
    if stated:
        return Result(OK, stated)
    if not classes:
        return Result(
            MISSING,
            "No statement that nothing was sold or shared.",
            fields=("disclosures.sale_or_sharing",),
        )
    categories = sorted({cat for c in classes for cat in c.categories})
    return Result(
        WRONG,
        _sharing_quotes(pack),
        "Advertising cookies are not disclosed as sharing; categories they carry: "
        + name_list(called_by_label(pack, "category", categories)),
        ("disclosures.sale_or_sharing", *(f"cookie_classes.{c.id}" for c in classes)),
    )


def opt_out_link(pack: PolicyPack, on: dt.date) -> Result:
    if not sharing_classes(pack):
        return Result(NOT_APPLICABLE, "No advertising cookies share data.")
    stated = disclosed_text(pack, "opt_out_link")
    if stated:
        return Result(OK, stated)
    return Result(MISSING, fields=("disclosures.opt_out_link",))


def opt_out_signals(pack: PolicyPack, on: dt.date) -> Result:
    policy = pack.cookie_policy
    if policy.honours_gpc:
        return Result(OK, policy.gpc or "Global Privacy Control is honoured.")
    says = quote(policy.dnt, policy.statement_ref) + " Nothing on Global Privacy Control."
    if policy.gpc:
        says = quote(policy.gpc) + " " + quote(policy.dnt, policy.statement_ref)
    if not sharing_classes(pack):
        return Result(NOT_APPLICABLE, says)
    status = WRONG if not policy.honours_dnt else MISSING
    return Result(status, says, fields=("cookie_policy.honours_gpc", "cookie_policy.gpc"))


def dnt_disclosure(pack: PolicyPack, on: dt.date) -> Result:
    policy = pack.cookie_policy
    return Result(OK, quote(policy.dnt, policy.statement_ref))


def minors(pack: PolicyPack, on: dt.date) -> Result:
    if not sharing_classes(pack):
        return Result(NOT_APPLICABLE, "No sale or sharing.")
    stated = disclosed_text(pack, "minors_under_16")
    return (
        Result(OK, stated) if stated else Result(MISSING, fields=("disclosures.minors_under_16",))
    )


def transfer_safeguards(pack: PolicyPack, on: dt.date) -> Result:
    if not pack.transfers:
        return Result(MISSING, fields=("transfers",))
    guessed = [t for t in pack.transfers if assumed(t.basis)]
    if not guessed:
        return Result(OK, "; ".join(f"{t.label}: {t.safeguard}" for t in pack.transfers))
    says = " ".join(quote(t.description, t.statement_ref) for t in guessed if t.statement_ref)
    says = (says + " No destination or safeguard is stated.").strip()
    return Result(
        ASSUMED,
        says,
        "Safeguards the pack assumes: " + "; ".join(f"{t.label}: {t.safeguard}" for t in guessed),
        tuple(f"transfers[{pack.transfers.index(t)}].basis" for t in guessed),
    )


# --- retention, categories, sources ----------------------------------------------------------------


def retention(pack: PolicyPack, on: dt.date) -> Result:
    none = [c.id for c in pack.categories if c.retention is None]
    guessed = [c.id for c in pack.categories if c.retention and assumed(c.retention_basis)]
    stated = len(pack.categories) - len(none) - len(guessed)
    if not none and not guessed:
        return Result(OK, f"A period for each of the {len(pack.categories)} categories.")
    says = (
        f"No retention period for {len(pack.categories) - stated} of {len(pack.categories)}"
        " categories."
    )
    if guessed:
        label = quote("organisation default — not stated in the privacy statement")
        says += f" The pack sets {len(guessed)} as organisation defaults ({label})."
    status = ASSUMED if not none and not stated else MISSING if not stated else PARTIAL
    detail = (
        "Without any period: " + name_list(called_by_label(pack, "category", none)) if none else ""
    )
    return Result(status, says, detail, ("categories[].retention",))


def categories_stated(pack: PolicyPack, on: dt.date) -> Result:
    unsourced = [c.id for c in pack.categories if not c.statement_ref]
    if not unsourced:
        return Result(OK, f"All {len(pack.categories)} categories.")
    return Result(
        PARTIAL,
        f"{len(pack.categories) - len(unsourced)} of {len(pack.categories)} categories.",
        "Not in the statement: " + name_list(called_by_label(pack, "category", unsourced)),
        ("categories[].statement_ref",),
    )


def ccpa_categories(pack: PolicyPack, on: dt.date) -> Result:
    unmapped = [c.id for c in pack.categories if not c.ccpa_category]
    if not unmapped:
        return Result(OK, "Every category maps to a §1798.140(v)(1) category.")
    groups = "; ".join(g.label for g in pack.category_groups)
    status = MISSING if len(unmapped) == len(pack.categories) else PARTIAL
    return Result(
        status,
        f"The statement's own headings: {groups}.",
        f"{len(unmapped)} categories without a CCPA category",
        ("categories[].ccpa_category",),
    )


def sources(pack: PolicyPack, on: dt.date) -> Result:
    unsourced = [s.id for s in pack.source_kinds if not s.statement_ref]
    if not unsourced:
        return Result(OK, f"{len(pack.source_kinds)} kinds of source, each from the statement.")
    return Result(
        PARTIAL,
        "Sources listed.",
        "Not in the statement: " + name_list(called_by_label(pack, "source_kind", unsourced)),
        ("source_kinds",),
    )


def sensitive_information(pack: PolicyPack, on: dt.date) -> Result:
    stated = disclosed_text(pack, "sensitive_information")
    if stated:
        return Result(OK, stated)
    sensitive = [c.id for c in pack.categories if c.sensitive]
    if sensitive:
        return Result(
            MISSING,
            detail="Sensitive categories: "
            + name_list(called_by_label(pack, "category", sensitive)),
            fields=("disclosures.sensitive_information",),
            severity="high",
        )
    return Result(
        PARTIAL,
        "No category is marked sensitive, and the statement does not say none is collected.",
        fields=("disclosures.sensitive_information",),
    )


def limit_link(pack: PolicyPack, on: dt.date) -> Result:
    if not any(c.sensitive for c in pack.categories):
        return Result(NOT_APPLICABLE, "No sensitive category in the pack.")
    stated = disclosed_text(pack, "limit_link")
    return Result(OK, stated) if stated else Result(MISSING, fields=("disclosures.limit_link",))


# --- rights -------------------------------------------------------------------------------------


def gdpr_rights(pack: PolicyPack, on: dt.date) -> Result:
    wanted = ("access", "correction", "deletion", "restriction", "objection", "portability")
    stated, missing = stated_rights(pack, wanted)
    if not missing:
        return Result(OK, "Each right is described.")
    contact = quote(pack.contact)
    says = f"Described: {name_list(called_by_label(pack, 'right', stated)) or 'none'}. {contact}"
    return Result(
        MISSING if not stated else PARTIAL,
        says,
        "Not described: " + name_list(called_by_label(pack, "right", missing)),
    )


def ccpa_rights(pack: PolicyPack, on: dt.date) -> Result:
    stated, missing = stated_rights(pack, ("access", "deletion", "correction"))
    # The opt-out is explained only with its link and notice (§1798.135(a)(1)); a promise not to
    # sell is not an explanation of the right.
    if sharing_classes(pack):
        (stated if disclosed_text(pack, "opt_out_link") else missing).append("opt-out-sale")
    if not disclosed_text(pack, "non_discrimination"):
        missing.append("non-discrimination")
    if any(c.sensitive for c in pack.categories) and not disclosed_text(pack, "limit_link"):
        missing.append("limit")
    if not missing:
        return Result(OK, "Each right is explained.")
    status = MISSING if not stated else PARTIAL
    return Result(
        status,
        f"Explained: {name_list(called_by_label(pack, 'right', stated)) or 'none'}.",
        "Not explained: " + name_list(called_by_label(pack, "right", missing)),
    )


def withdraw_consent(pack: PolicyPack, on: dt.date) -> Result:
    right = right_of(pack, "withdraw-consent")
    if right is not None and right.statement_ref:
        return Result(OK, quote(right.description, right.statement_ref))
    said = []
    marketing = right_of(pack, "opt-out-marketing")
    if marketing is not None and marketing.statement_ref:
        said.append(quote(marketing.how, marketing.statement_ref))
    said.append(quote(pack.cookie_policy.blocking, pack.cookie_policy.statement_ref))
    return Result(PARTIAL, "Only: " + " ".join(said), fields=("rights.withdraw-consent",))


def complaint_to_authority(pack: PolicyPack, on: dt.date) -> Result:
    stated = disclosed_text(pack, "supervisory_authority")
    if stated:
        return Result(OK, stated)
    complaint = right_of(pack, "complaint")
    says = "Nothing on a supervisory authority."
    if complaint is not None and complaint.statement_ref:
        says = f"Complaints go to the organisation only ({complaint.statement_ref}). " + says
    return Result(MISSING, says, fields=("disclosures.supervisory_authority",))


def complaint_to_controller(pack: PolicyPack, on: dt.date) -> Result:
    stated = disclosed_text(pack, "complaint_to_controller")
    if stated:
        return Result(OK, stated)
    complaint = right_of(pack, "complaint")
    if complaint is not None and complaint.statement_ref:
        return Result(
            PARTIAL,
            f"Complaints are invited ({complaint.statement_ref}), with no process or form.",
            fields=("disclosures.complaint_to_controller",),
        )
    return Result(MISSING, fields=("disclosures.complaint_to_controller",))


def appeal_process(pack: PolicyPack, on: dt.date) -> Result:
    stated = disclosed_text(pack, "appeal_process")
    return Result(OK, stated) if stated else Result(MISSING, fields=("disclosures.appeal_process",))


# --- other notices --------------------------------------------------------------------------------


def provision_requirement(pack: PolicyPack, on: dt.date) -> Result:
    stated = disclosed_text(pack, "provision_requirement")
    if stated:
        return Result(OK, stated)
    minimisation = next((c for c in pack.commitments if c.id == "data_minimisation"), None)
    says = quote(minimisation.text, minimisation.statement_ref) if minimisation else NOTHING
    return Result(
        PARTIAL if minimisation else MISSING, says, fields=("disclosures.provision_requirement",)
    )


def automated_decisions(pack: PolicyPack, on: dt.date) -> Result:
    stated = disclosed_text(pack, "automated_decisions")
    if stated:
        return Result(OK, stated)
    inference = next((s for s in pack.source_kinds if s.id == "inference"), None)
    if inference is None:
        return Result(MISSING, fields=("disclosures.automated_decisions",))
    return Result(
        PARTIAL,
        quote(inference.description, inference.statement_ref)
        + " Nothing on whether any decision has legal or similarly significant effects.",
        fields=("disclosures.automated_decisions",),
    )


def last_updated(pack: PolicyPack, on: dt.date) -> Result:
    age = (on - pack.effective_date).days
    says = f"Last modified: {pack.effective_date.isoformat()}."
    if age <= 365:
        return Result(OK, says)
    return Result(
        WRONG,
        says,
        f"{age // 365} years and {age % 365} days old on {on.isoformat()}.",
        ("effective_date",),
    )


def pack_assumptions(pack: PolicyPack, on: dt.date) -> Result:
    lists: Mapping[str, Iterable[tuple[str, str | None, str | None]]] = {
        "categories": ((c.id, c.statement_ref, c.basis) for c in pack.categories),
        "purposes": ((p.id, p.statement_ref, None) for p in pack.purposes),
        "rights": ((r.id, r.statement_ref, r.how_basis) for r in pack.rights),
        "recipients": ((r.id, r.statement_ref, None) for r in pack.recipients),
        "source_kinds": ((s.id, s.statement_ref, None) for s in pack.source_kinds),
        "data_subject_categories": (
            (d.id, d.statement_ref, d.basis) for d in pack.data_subject_categories
        ),
        "transfers": ((t.id, t.statement_ref, t.basis) for t in pack.transfers),
        "security_measures": ((m.id, m.statement_ref, m.basis) for m in pack.security_measures),
    }
    unlabelled = [
        f"{name}.{item}"
        for name, items in lists.items()
        for item, ref, basis in items
        if not ref and not assumed(basis)
    ]
    if not unlabelled:
        return Result(OK, "Every entry cites the statement or is labelled an organisation default.")
    return Result(
        ASSUMED,
        "Entries with no statement reference and no label.",
        name_list(unlabelled, 20),
        tuple(unlabelled),
    )


CHECKS: Mapping[str, Check] = {
    fn.__name__: fn
    for fn in (
        controller_contact,
        dpo_contact,
        request_methods,
        legal_bases,
        legitimate_interests,
        recipients,
        third_parties,
        advertising_recipients,
        sharing_purpose,
        sale_or_sharing_disclosed,
        opt_out_link,
        opt_out_signals,
        dnt_disclosure,
        minors,
        transfer_safeguards,
        retention,
        categories_stated,
        ccpa_categories,
        sources,
        sensitive_information,
        limit_link,
        gdpr_rights,
        ccpa_rights,
        withdraw_consent,
        complaint_to_authority,
        complaint_to_controller,
        appeal_process,
        provision_requirement,
        automated_decisions,
        last_updated,
        pack_assumptions,
    )
}
