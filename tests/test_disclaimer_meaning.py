"""Issue 23: disclaimers recognised by meaning, triggers by structure, readability on the post's own prose,
empty front-matter fields. Every case has a failing and a passing example, in our own words."""

from __future__ import annotations

import pytest

from checks import disclaimers, frontmatter, readability
from checks.document import parse_post
from checks.model import Finding
from checks.policy import Policy
from flows.store.policy_files import load_policy
from tests.conftest import POLICY

HEAD = "---\ntitle: Botox basics\nslug: botox-basics\ndate: 2024-05-01\n---\n"
BODY = "BOTOX relaxes the muscle that makes a frown line.\n\nThe effect lasts about three months.\n\n"
ADVICE = "This article is for general education and is not medical advice. Talk to a qualified healthcare " \
         "provider about your own health before you start any treatment.\n"
VARY = "Individual results vary. The results described here are not typical of every patient, and your " \
       "results may differ.\n\n"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(POLICY)


def _findings(text: str, policy: Policy) -> list[Finding]:
    return list(disclaimers.check_post(parse_post("posts/x.md", (HEAD + text).encode()), policy))


def _about(found: list[Finding], title: str) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in found if f"'{title}'" in f.message]


# --- 1. disclaimers by meaning -------------------------------------------------------------------------------

@pytest.mark.parametrize("reworded", [
    "This page is general information only and is no substitute for a visit with your own doctor.",
    "We wrote this for educational purposes only. It does not replace medical advice: please ask your "
    "physician what is right for you.",
    "Everything here is general guidance rather than personal medical advice, so check with your nurse or "
    "doctor first.",
    "Our posts are educational resources and should not be construed as medical advice. Reach out to your own "
    "healthcare provider with any question.",
    "This is general information. Nothing in it should be taken as medical advice: book a visit with your "
    "doctor first.",
])
def test_a_disclaimer_in_other_words_is_present(policy: Policy, reworded: str) -> None:
    assert _about(_findings(BODY + reworded + "\n", policy), "Not medical advice") == []


def test_with_exact_wording_required_a_reworded_disclaimer_is_altered_and_the_wording_suggested(
        policy: Policy) -> None:
    rules = tuple(r.model_copy(update={"exact_wording": True}) if r.id == "not-medical-advice" else r
                  for r in policy.disclaimers)
    strict = policy.model_copy(update={"disclaimers": rules})
    reworded = "This page is general information only and is no substitute for a visit with your own doctor.\n"
    found = [f for f in _findings(BODY + reworded, strict) if "'Not medical advice'" in f.message]
    assert [f.rule for f in found] == ["DSC002"]
    assert "other words" in found[0].message and "not medical advice" in found[0].suggestion
    assert _about(_findings(BODY + ADVICE, strict), "Not medical advice") == []  # the approved wording passes


@pytest.mark.parametrize(("partial", "left_out"), [
    ("This is not medical advice, so ask your doctor.", "general or educational information"),
    ("This article is general information and not a substitute for medical advice.", "your own healthcare"),
])
def test_a_partial_disclaimer_is_altered_and_says_what_it_leaves_out(policy: Policy, partial: str,
                                                                     left_out: str) -> None:
    found = _about(_findings(BODY + partial + "\n", policy), "Not medical advice")
    assert [rule for rule, _ in found] == ["DSC002"]
    assert left_out in found[0][1]


def test_no_disclaimer_at_all_is_missing(policy: Policy) -> None:
    found = _about(_findings(BODY + "Call us to book.\n", policy), "Not medical advice")
    assert [rule for rule, _ in found] == ["DSC001"]


def test_talk_to_your_doctor_alone_is_not_a_disclaimer(policy: Policy) -> None:
    """One idea that is not the key one is ordinary advice, not an attempt at the disclaimer: missing."""
    text = BODY + "Semaglutide is not a substitute for healthy habits. Talk to your doctor about the risks.\n"
    assert [rule for rule, _ in _about(_findings(text, policy), "Not medical advice")] == ["DSC001"]


# --- 2. triggers by structure --------------------------------------------------------------------------------

TESTIMONIALS = [
    "“My frown lines were gone in a week and nobody guessed,” says one of our patients.",  # quote first
    "One patient told us: “My frown lines were gone in a week and nobody guessed.”",  # attribution first
    "“My frown lines were gone in a week and nobody guessed.” — Maria, 42",  # dash attribution
    "> “My frown lines were gone in a week and nobody guessed.”\n>\n> — Maria, 42",  # its own line, quoted
    "Our patient Dana came to us before her wedding; two weeks later her forehead was smooth.",  # named story
    "Maria, 42, had tried creams for years before her first treatment with us.",
]


@pytest.mark.parametrize("testimonial", TESTIMONIALS)
def test_a_testimonial_in_any_word_order_needs_results_vary(policy: Policy, testimonial: str) -> None:
    text = BODY + testimonial + "\n\n" + ADVICE
    assert [rule for rule, _ in _about(_findings(text, policy), "Individual results vary")] == ["DSC001"]
    assert _about(_findings(BODY + testimonial + "\n\n" + VARY + ADVICE, policy), "Individual results vary") == []


@pytest.mark.parametrize("not_testimonial", [
    "“Most frown lines soften within a week,” says Dr. Lee, our medical director.",  # a clinician's words
    "According to the FDA, “the effect may spread from the injection site.”",
    "Avoid alcohol before and after the treatment.",  # timing, not a before-and-after result
    "The average price per area is $300 to $600 in our region.",  # a price is not an offer
    "Book a hassle-free consultation with our team.",
])
def test_what_is_not_a_testimonial_before_and_after_or_offer_requires_nothing(policy: Policy,
                                                                              not_testimonial: str) -> None:
    found = _findings(BODY + not_testimonial + "\n\n" + ADVICE, policy)
    assert found == []


@pytest.mark.parametrize(("text", "title"), [
    ("See our before-and-after photos of real patients.", "Individual results vary"),
    ("Before & After: three months of microneedling.", "Individual results vary"),
    ("New patients save 20% off their first syringe this month.", "Offer terms"),
    ("Ask about our introductory price for lip filler.", "Offer terms"),
])
def test_before_and_after_mentions_and_offers_trigger_their_disclaimer(policy: Policy, text: str,
                                                                       title: str) -> None:
    assert [rule for rule, _ in _about(_findings(BODY + text + "\n\n" + ADVICE, policy), title)] == ["DSC001"]


@pytest.mark.parametrize("in_other_words", [
    "How much you improve depends on you: your skin, your age and how you care for it.",
    "Everyone responds differently, so your own results will not be the same as these.",
    "No two patients are alike, and what you see here cannot be duplicated exactly for you.",
])
def test_a_results_statement_in_other_words_counts(policy: Policy, in_other_words: str) -> None:
    testimonial = "“My frown lines were gone in a week,” says one of our patients.\n\n"
    assert _about(_findings(BODY + testimonial + in_other_words + "\n\n" + ADVICE, policy),
                  "Individual results vary") == []


def test_offer_terms_stated_in_other_words_count(policy: Policy) -> None:
    offer = "New patients save 20% off their first syringe this month."
    assert _about(_findings(BODY + offer + " Cannot be combined with other offers.\n\n" + ADVICE, policy),
                  "Offer terms") == []


# --- 3. readability measures the post's own prose --------------------------------------------------------------

PLAIN = "BOTOX is a shot that relaxes a muscle. It can soften lines on your face. The effect lasts a few months. "
ISI = ("Distant spread of toxin effect: the effects of botulinum toxin products may spread from the area of "
       "injection to produce symptoms consistent with botulinum toxin effects, including generalized muscle "
       "weakness, diplopia, ptosis, dysphagia, dysphonia, dysarthria, urinary incontinence and respiratory "
       "difficulties, which can be life threatening. ")


def _readability(body: str, policy: Policy) -> tuple[list[Finding], dict[str, object]]:
    return readability.check_post(parse_post("posts/x.md", (HEAD + body).encode()), policy)


@pytest.mark.parametrize("safety", [
    "## Important Safety Information\n\n" + ISI * 3 + "\n",
    "**Boxed warning.** " + ISI * 3 + "\n",
])
def test_required_safety_text_is_left_out_of_the_grade_and_said_so(policy: Policy, safety: str) -> None:
    findings, metrics = _readability(PLAIN * 12 + "\n\n" + safety + "\n## Book a visit\n\n" + PLAIN + "\n",
                                     policy)
    _, plain_metrics = _readability(PLAIN * 12 + "\n\n## Book a visit\n\n" + PLAIN + "\n", policy)
    assert metrics["grade"] == plain_metrics["grade"] < policy.readability.target
    assert not [f for f in findings if f.rule in ("RD001", "RD002", "RD003")]
    excluded = metrics["excluded"]
    assert isinstance(excluded, dict) and excluded["words"] > 100 and "safety text" in excluded["words_by_reason"]
    assert plain_metrics["excluded"] == {"blocks": 0, "words": 0, "words_by_reason": {}}


def test_the_same_words_as_the_posts_own_prose_count(policy: Policy) -> None:
    """Without a safety heading or opening the hard text is the post's prose: graded, and its hard sentences
    reported (the failing side of the case above)."""
    findings, metrics = _readability(PLAIN * 12 + "\n\n## What to know\n\n" + ISI * 3 + "\n", policy)
    _, plain_metrics = _readability(PLAIN * 12 + "\n", policy)
    assert metrics["grade"] > plain_metrics["grade"] + 2  # type: ignore[operator]
    assert any(f.rule == "RD003" for f in findings)
    assert metrics["excluded"] == {"blocks": 0, "words": 0, "words_by_reason": {}}


def test_a_grade_above_target_says_what_was_left_out(policy: Policy) -> None:
    hard = "Neuromodulator treatment requires individualized anatomical evaluation. "
    findings, _ = _readability((PLAIN + hard) * 12 + "\n\n## Important Safety Information\n\n" + ISI + "\n",
                               policy)
    message = next(f.message for f in findings if f.rule in ("RD001", "RD002"))
    assert "words of safety text left out" in message


# --- 4. empty front-matter fields ------------------------------------------------------------------------------

def _front_matter(front: str, policy: Policy) -> list[Finding]:
    post = parse_post("posts/x.md", ("---\n" + front + "---\nText.\n").encode())
    return [f for f in frontmatter.check_post(post, policy) if f.rule == "FM018"]


def test_an_empty_author_is_a_finding_at_its_line(policy: Policy) -> None:
    found = _front_matter("title: Botox\nslug: botox\ndate: 2024-05-01\nauthor:\nsummary: \"  \"\n", policy)
    assert [(f.line, f.message) for f in found] == [(5, "front-matter field 'author' has no value"),
                                                    (6, "front-matter field 'summary' has no value")]
    assert _front_matter("title: Botox\nslug: botox\ndate: 2024-05-01\nauthor: Dr. Lee\n", policy) == []


@pytest.mark.parametrize(("text", "title"), [
    ("Compare the side-by-side photos from her first and last visit.", "Individual results vary"),
    ("I was nervous before my first Botox treatment, but the lines were softer in a week.",
     "Individual results vary"),
    ("Members get a discounted rate on every package.", "Offer terms"),
])
def test_other_structures_trigger_too(policy: Policy, text: str, title: str) -> None:
    """Found on held-out real pages (see the report): comparison photos in other words, a patient's own account
    in the first person, and an offer whose terms are its refund and completion rules."""
    assert [rule for rule, _ in _about(_findings(BODY + text + "\n\n" + ADVICE, policy), title)] == ["DSC001"]
    terms = " Sessions must be completed within a year; no refunds after the first session."
    if title == "Offer terms":
        assert _about(_findings(BODY + text + terms + "\n\n" + ADVICE, policy), title) == []


def test_what_the_second_held_out_batch_taught(policy: Policy) -> None:
    """A named patient seen in the clinic is a testimonial; results that depend on the reader count as the
    results statement; 'seek the guidance of your doctor' is the see-your-provider idea; a post that only talks
    about testimonials gives none."""
    seen = "Last spring we saw Maria in our clinic; she had tried creams for years."
    assert [r for r, _ in _about(_findings(BODY + seen + "\n\n" + ADVICE, policy), "Individual results vary")] \
        == ["DSC001"]
    for statement in ("Depending on your skin and age, results can last from four to six months.",
                      "Not everyone responds to the same dose."):
        assert _about(_findings(BODY + seen + " " + statement + "\n\n" + ADVICE, policy),
                      "Individual results vary") == []
    guidance = ("This page is for informational purposes only and is no substitute for medical advice. Always "
                "seek the guidance of your doctor.\n")
    assert _about(_findings(BODY + guidance, policy), "Not medical advice") == []
    essay = "Some clinics ask us why we do not post testimonials on our website.\n\n"
    assert _findings(BODY + essay + ADVICE, policy) == []


@pytest.mark.parametrize("account", [
    "Take my patient, Dana, who came in before her wedding.",
    "This patient told me that her friends kept asking what she had changed.",
    "I looked into PRP therapy last year, and my hair is thicker now.",
])
def test_accounts_from_the_third_held_out_batch_are_testimonials(policy: Policy, account: str) -> None:
    assert [r for r, _ in _about(_findings(BODY + account + "\n\n" + ADVICE, policy), "Individual results vary")] \
        == ["DSC001"]


def test_healing_that_depends_on_you_is_not_the_results_statement(policy: Policy) -> None:
    text = "See our before-and-after photos. The time it will take to heal depends on your body.\n\n"
    assert [r for r, _ in _about(_findings(BODY + text + ADVICE, policy), "Individual results vary")] == ["DSC001"]
    text = "See our before-and-after photos. Everyone has a different body, and results follow it.\n\n"
    assert _about(_findings(BODY + text + ADVICE, policy), "Individual results vary") == []


def test_what_the_fourth_held_out_batch_taught(policy: Policy) -> None:
    for account in ("Before having my appointment, I read every review I could find.",
                    "Three months later, Emma's scars looked far softer."):
        assert [r for r, _ in _about(_findings(BODY + account + "\n\n" + ADVICE, policy),
                                     "Individual results vary")] == ["DSC001"]
    offer = "Refer a friend and you both get $50 off a future visit."
    for terms in (" Referral discounts cannot be applied with other discounts.", " That weekend only.",
                  " A minimum purchase of one syringe applies."):
        assert _about(_findings(BODY + offer + terms + "\n\n" + ADVICE, policy), "Offer terms") == []
    assert [r for r, _ in _about(_findings(BODY + offer + "\n\n" + ADVICE, policy), "Offer terms")] == ["DSC001"]


# --- 5. triggers by kind, each in our own words: what fires, what passes with the statement, what is no account

def _results_vary(text: str, policy: Policy) -> list[str]:
    return [rule for rule, _ in _about(_findings(BODY + text + "\n\n" + ADVICE, policy), "Individual results vary")]


def _statement_clears(text: str, policy: Policy) -> bool:
    return _about(_findings(BODY + text + "\n\n" + VARY + ADVICE, policy), "Individual results vary") == []


KINDS = {
    "first person, any tense and verb": [
        "I put on a hormone patch in March, and within a week I felt fantastic.",
        "I've been on semaglutide since the spring.",
        "After my third session my acne scars had faded for good.",
        "Last winter I finally gave lip filler a try.",
        "I decided it was time to stop reading about it and give microneedling a go.",
        "My forehead looks smoother than it has in years.",
        "By June I had lost 18 pounds, and my blood sugar numbers looked better too.",
        "Within a month I noticed real changes: my blood sugar stabilized and I wasn't just losing weight.",
        "After three sessions my hair is noticeably thicker.",
    ],
    "a named or unnamed patient's results": [
        "One client of ours dropped 35 pounds before her daughter's wedding.",
        "Jenna lost 22 pounds in her first three months with us.",
        "I once treated a woman who regained her confidence after two sessions.",
        "Our patient, a retired teacher, noticed her lines softening after two weeks.",
        "Dana noticed thicker hair after her third session.",
    ],
    "quoted experience, with or without attribution": [
        "“Best decision I ever made, and the staff were lovely.”",
        "“When my hair began to thin at twenty-five, I tried every shampoo there is.\n\n"
        "Last year I booked a consultation and started PRP.",  # a story quoted over paragraphs, never closed
        "“I feel like a new person every time I look in the mirror,” one reader wrote to us.",
        "“Doc, I'm not hungry all the time any more and I'm losing weight.” I hear that every week.",
    ],
    "before-and-after in any noun form": [
        "Browse the before-and-afters from our injectors.",
        "Pre- and post-treatment photos are taken at every visit.",
        "Every ‘laser before and after’ story starts with a consultation.",
        "See our patient gallery for more.",
        "Compare the before and after views from her last visit.",
    ],
}


@pytest.mark.parametrize(("kind", "text"), [(kind, text) for kind, texts in KINDS.items() for text in texts])
def test_each_kind_of_account_needs_results_vary_and_the_statement_clears_it(policy: Policy, kind: str,
                                                                            text: str) -> None:
    assert _results_vary(text, policy) == ["DSC001"], kind
    assert _statement_clears(text, policy), kind


@pytest.mark.parametrize("not_an_account", [
    "What can I expect after my first treatment?",  # the reader's question, not an account
    "Will my skin look red after the peel?",
    "I recommend microneedling to most of my patients with acne scars.",  # a clinician's work
    "I have performed over 2,000 BOTOX treatments since 2010.",
    "I started offering PRP in 2015 because the evidence looked promising.",
    "I have extensive experience with fillers, and I take a conservative approach to them.",
    "I decided to take the leap and open my own clinic in 2019.",
    "I get asked about BOTOX all the time.",
    "If I had deep lines like these, I would try a combination of filler and BOTOX.",  # a hypothesis
    "In the trial, adults taking Wegovy lost 15% of their body weight on average.",  # a trial, not a person
    "Patients lost an average of 15% of their weight in a year.",
    "Wegovy works by telling your brain, “I am full now.”",  # a quotation that is nobody's experience
    "“I love how natural it looks,” says Dr. Lee, our injector.",  # a clinician's words
    "Take photos before and after each session to track your progress.",
    "Everyone’s face is different, so we study each one before we inject.",  # a pronoun, not a name
    "Avoid blood thinners for a week before and after your filler appointment.",  # timing
    "Read our pre and post care instructions before you come in.",
    "My hair is red and curly, so I wear a hat in the sun.",  # a state, not a change
    "How can my own blood help my hair grow?",
])
def test_what_is_no_account_requires_nothing(policy: Policy, not_an_account: str) -> None:
    assert _results_vary(not_an_account, policy) == []


@pytest.mark.parametrize(("offer", "terms"), [
    ("Schedule your complimentary consultation today.", " Valid for new patients through June 30."),
    ("Refer a friend and you both get a $50 credit.", " Credits expire after 90 days and have no cash value."),
    ("Buy 2, get 1 free on every peel this month.", " Excludes medical-grade peels; one per client."),
    ("Our package deals make a series of sessions cheaper.", " Book by March 1 to get the package price."),
    ("First consultations are always free.", " Packages are non-refundable."),
])
def test_offers_and_their_terms_in_other_words(policy: Policy, offer: str, terms: str) -> None:
    assert [rule for rule, _ in _about(_findings(BODY + offer + "\n\n" + ADVICE, policy), "Offer terms")] \
        == ["DSC001"]
    assert _about(_findings(BODY + offer + terms + "\n\n" + ADVICE, policy), "Offer terms") == []


@pytest.mark.parametrize("statement", [
    "Everyone is different, and so is every face we treat.",
    "Experiences vary from one person to the next.",
    "We cannot promise you the same outcome.",
    "Not everyone will see the same results from one course.",
    "These stories are not representative of what every patient can expect.",
    "A result on someone else's face may not predict your own outcome.",
    "Read these photos as examples, not as a promise of what you will see.",
    "Each patient responds in their own way.",
    "Results cannot be guaranteed.",
])
def test_results_statements_in_still_other_words(policy: Policy, statement: str) -> None:
    story = "Jenna lost 22 pounds in her first three months with us. "
    assert _results_vary(story, policy) == ["DSC001"]
    assert _about(_findings(BODY + story + statement + "\n\n" + ADVICE, policy), "Individual results vary") == []


# --- 6. the hard-sentence list leaves required text out ------------------------------------------------------

def test_the_hardest_sentences_never_list_the_required_disclaimer(policy: Policy) -> None:
    """The approved wording right after another paragraph was matched to that paragraph (the pair of blocks
    scored as high as the disclaimer alone): the disclaimer was graded and listed as the hardest sentence."""
    body = PLAIN * 6 + "\n\nBook a visit with us this week.\n\n" + ADVICE
    _, metrics = _readability(body, policy)
    hardest = metrics["hardest"]
    assert isinstance(hardest, list) and hardest
    assert not [h for h in hardest if "medical advice" in h["text"] or "healthcare provider" in h["text"]]
    assert metrics["excluded"]["words"] == len(ADVICE.split())  # type: ignore[index]


def test_a_disclaimer_split_over_two_paragraphs_is_left_out_whole(policy: Policy) -> None:
    split = ("The information throughout this educational publication is intended exclusively for general "
             "informational purposes and does not constitute individualized professional medical advice.\n\n"
             "Always consult a qualified physician or another appropriately credentialed healthcare professional "
             "about considerations particular to your individual medical circumstances.\n")
    findings, metrics = _readability(PLAIN * 6 + "\n\n" + split, policy)
    assert not [h for h in metrics["hardest"] if "credentialed" in h["text"]]  # type: ignore[union-attr]
    assert not [f for f in findings if f.rule == "RD003"]
    assert metrics["excluded"]["blocks"] == 2  # type: ignore[index]
    # the same hard paragraph that is not a disclaimer is graded and reported
    own = split.replace("does not constitute individualized professional medical advice", "changes yearly")
    own = own.replace("Always consult a qualified physician or another appropriately credentialed healthcare "
                      "professional about", "Reviewing organizations publish comprehensive documentation about")
    findings, metrics = _readability(PLAIN * 6 + "\n\n" + own, policy)
    assert any(f.rule == "RD003" for f in findings)


def test_a_guarantee_about_something_else_is_not_the_results_statement(policy: Policy) -> None:
    story = "Jenna lost 22 pounds in her first three months with us. "
    other = "FDA approval does not guarantee that every clinic using the drug is safe."
    assert _results_vary(story + other, policy) == ["DSC001"]


# --- 7. kinds from the sixth held-out batch, in our own words: each fires, the statement clears it, and its
# look-alike fires nothing

SIXTH_BATCH_KINDS = {
    "a first-person letter without quotation marks": [
        "I have had two done so far, and a third is booked for May.",
        "Last spring I let Dr. Patel take out the mole on my cheek.",
    ],
    "a story in one long quotation, apostrophes and all": [
        "“Honestly, it’s the best decision I’ve made this year.”",
        "“I hadn’t seen anyone about my skin in years. The surgeon explained how we would treat my basal cell "
        "carcinoma, and three months on I am cancer-free.",
    ],
    "a clinician's own patients' stories, told with others' reactions": [
        "Here are two true stories from my own patients. Her sister only asked, “Did you get more sleep?”",
    ],
    "photo captions 'Before X' / 'After X'": [
        "Chin – Before filler\n\nChin – After filler",
        "Before\n\nAfter",
    ],
    "a dramatised diary": [
        "Day 9. I have been recovering from my facelift for more than a week.",
        "Day 30. The swelling has gone, and I love how my nose looks.",
    ],
    "a patient's own blog (an unlabelled sweep)": [
        "On Friday the surgeon reduced the bump on the bridge of my nose.",
        "At the check-up she said she thinks I am going to love my final result.",
    ],
    "a journey, or a story begun by name or pronoun": [
        "My weight-loss journey began the week after my fortieth birthday.",
        "Lena came to us after years of melasma that creams never touched.",
    ],
}


@pytest.mark.parametrize(("kind", "text"),
                         [(kind, text) for kind, texts in SIXTH_BATCH_KINDS.items() for text in texts])
def test_kinds_from_the_sixth_batch_need_results_vary(policy: Policy, kind: str, text: str) -> None:
    assert _results_vary(text, policy) == ["DSC001"], kind
    assert _statement_clears(text, policy), kind


@pytest.mark.parametrize("look_alike", [
    "I have had patients ask for this treatment done in a single visit.",  # a clinician's patients
    "Can you treat my rosacea without a laser?",  # the reader's question
    "I love my job, and I love how much this field has changed.",  # love, but no body of one's own
    "I am free on Tuesdays for consultations.",  # free, not cancer-free
    "Before your appointment\n\nStop any blood thinners a week ahead.\n\nAfter your appointment\n\nIce the area.",
    "Chin – Before filler\n\nForehead – After BOTOX",  # captions that do not pair
    "Stories of patients in clinical trials are often left out of the papers.",  # not the writer's patients
    "We love hearing stories from our patients.",  # stories mentioned, none told
    "Can Botox treat my migraines",  # a heading in the reader's voice, without its question mark
    "My journey into aesthetics began in nursing school.",  # a career, not a treatment
    "Patients came to us from three states for the trial.",
    "Dr. Lee will tell you what to expect. Results show up in about a week.",  # a title's full stop splits nothing
])
def test_look_alikes_of_the_sixth_batch_kinds_require_nothing(policy: Policy, look_alike: str) -> None:
    assert _results_vary(look_alike, policy) == []


@pytest.mark.parametrize("advice", [
    "When you compare providers, they should always offer a free consultation.",
    "Ask if they offer packages at a discounted price.",
    "Most clinics typically offer a free consultation before any laser session.",
    "Look for a clinic that offers a complimentary consultation.",
    "Many med spas offer free consultations for simpler treatments.",  # what others do in general
])
def test_advice_about_what_other_providers_offer_is_no_offer_of_ours(policy: Policy, advice: str) -> None:
    assert _about(_findings(BODY + advice + "\n\n" + ADVICE, policy), "Offer terms") == []
    ours = "We always offer a free consultation, and so should every clinic."
    assert [rule for rule, _ in _about(_findings(BODY + ours + "\n\n" + ADVICE, policy), "Offer terms")] \
        == ["DSC001"]


@pytest.mark.parametrize(("offer", "terms"), [
    ("Members get 10% off every IV drip.", " Packages are available to members only."),  # eligibility
    ("Packages are 15% off the single-visit price.", " Cancellation requires two weeks’ notice."),  # cancellation
    ("You get 20% off in your birthday month.", " You must come in within that month to use it."),  # time window
    ("Buy 3, get 1 free on IV shots.", " Clients have 30 days to use their remaining credits."),
    ("Members save 10% on every add-on.", " Exclusions applied: gift cards and travel fees."),
])
def test_offer_terms_worded_as_eligibility_cancellation_or_time_windows(policy: Policy, offer: str,
                                                                        terms: str) -> None:
    assert [rule for rule, _ in _about(_findings(BODY + offer + "\n\n" + ADVICE, policy), "Offer terms")] \
        == ["DSC001"]
    assert _about(_findings(BODY + offer + terms + "\n\n" + ADVICE, policy), "Offer terms") == []
