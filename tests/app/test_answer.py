"""Choosing the statements that answer, on small chunks with a real lexical index (no embedding:
retrieval is not under test here, so every chunk is passed in as a hit)."""

from __future__ import annotations

from granska.app.answer import candidates_from, compose, demote_unnamed, named, score_candidates
from granska.app.query import parse_question
from granska.index.lexical import LexicalIndex
from granska.ingest.numbers import parse_figures
from tests.tables import table_chunk
from granska.types import Chunk, Hit

FILLER = [
    "Regionkontoret följer verksamhetsplanen i stort.",
    "Arbetet med digitalisering fortsätter under hösten.",
    "Samverkan med kommunerna sker i flera nätverk.",
]


def chunk(
    i: int, text: str, section: str = "", kind: str = "text", document: str = "rapport.pdf",
    organisation: str = "Region A, Regionkontoret", page: int = 1,
) -> Chunk:
    if kind == "table":
        return table_chunk(f"c{i}", text, document=document, organisation=organisation, section=section, page=page, position=i)
    return Chunk(
        id=f"c{i}", text=text, document=document, doc_id=document, organisation=organisation,
        report_type="månadsrapport", period_start=202001, period_end=202010, year=2020, page=page, page_label=str(page),
        section=section, kind=kind, figures=parse_figures(text), position=i,  # type: ignore[arg-type]
    )


def answer(question: str, chunks: list[Chunk]) -> list[str] | None:
    everything = chunks + [chunk(100 + i, text) for i, text in enumerate(FILLER)]
    lexical = LexicalIndex.build(everything)
    query = parse_question(question)
    scored = score_candidates(candidates_from([Hit(c, 1.0 / (1 + n)) for n, c in enumerate(chunks)]), query, lexical)
    draft = compose(query, scored, multi_document=False, min_coverage=0.3, vocabulary=lexical.doc_freq)
    return None if draft is None else [part.candidate.text for part in draft.parts]


def test_a_figure_question_takes_the_figure_from_the_next_sentence():
    text = ("Under våren har utbildningar genomförts i jämställd budgetering för ekonomer. "
            "24 medarbetare deltog i den sistnämnda. Syftet var ett systematiskt arbete.")
    parts = answer("Hur många gick utbildningen i jämställd budgetering?", [chunk(0, text)])
    assert parts is not None and parts[-1].startswith("24 medarbetare")


def test_a_figure_question_with_no_figure_in_reach_is_refused():
    text = "Regionkontoret har en hög andel extern personalomsättning när en anställd byter förvaltning."
    assert answer("Hur många anställda har Regionkontoret?", [chunk(0, text)]) is None


def test_a_misspelt_report_word_still_answers():
    text = "Kortidssjukfrånvaron (R12) ligger på 1,17 procent."
    parts = answer("Vad ligger korttidssjukfrånvaron på?", [chunk(0, text)])
    assert parts == [text]


def test_of_equally_matching_rows_the_total_answers():
    table = ("1.4 Investeringar (belopp i mnkr)\n | Utfall 2018 | Budget 2018 | Prognos 2018\n"
             "Utrustning | 0,1 | 0,5 | 0,5\nE-plan | 0,3 | 3 | 1,5\nTotalt | 0,4 | 3,5 | 2")
    parts = answer("Hur stor är investeringsbudgeten 2018?", [chunk(0, table, "1.4 Investeringar", "table")])
    assert parts is not None and parts[0].startswith("Totalt") and "3,5 mnkr" in parts[0]


def test_a_list_question_answered_by_one_item_gets_the_whole_list():
    text = ("Innovation stimuleras i olika projekt.\nProjekt som pågår i urval:\n"
            "• Experio WorkLab tillsammans med kommunerna\n• Interregprojektet I2I om inkludering\n"
            "• Hälsolabb, ett nationellt innovationsprojekt finansierat av SKR\n• Digital Well Arena för hälsotjänster")
    parts = answer("Vilka innovationsprojekt pågår?", [chunk(0, text, "Utveckling och innovation")])
    assert parts is not None and parts[0] == "Projekt som pågår i urval:"
    assert [p.split()[0] for p in parts[1:]] == ["Experio", "Interregprojektet", "Hälsolabb,", "Digital"]


def test_a_synonym_of_the_direction_answers_a_why_question():
    text = ("Personalomsättningen har en minskande trend jämfört med föregående år. "
            "Det beror på färre avgångar inom HR och Ekonomi.")
    parts = answer("Varför sjunker personalomsättningen?", [chunk(0, text)])
    assert parts is not None and any("avgångar" in p for p in parts)


def test_the_next_sentence_that_refers_back_completes_a_figure():
    text = ("Regionstyrelsens ackumulerade resultat för januari till augusti 2019 är +24,5 mnkr. "
            "Den ackumulerade avvikelsen mot periodens budget är +23,0 mnkr. Arbetet fortsätter under hösten.")
    parts = answer("Regionstyrelsens ackumulerade resultat jan-aug 2019?", [chunk(0, text)])
    assert parts is not None and len(parts) == 2 and "+23,0 mnkr" in parts[1]


def test_a_synonym_inside_a_compound_and_the_previous_year_match():
    right = "Kostnadsutvecklingen uppgår till -3,5 procent, en kostnadsminskning med 14,7 mnkr jämfört med föregående år."
    wrong = "Utfallet för kostnaderna är 12 mnkr i oktober."
    parts = answer("Hur mycket har kostnaderna minskat jämfört med förra året?", [chunk(0, wrong), chunk(1, right)])
    assert parts is not None and parts[0] == right


def test_each_side_of_a_comparison_gets_its_own_statement():
    text = ("Budgetmedel till regionstyrelsens förfogande uppgår till ett överskott i delåret på 140 miljoner kronor. "
            "Avdelningarna har ett litet överskott på 1,3 miljoner kronor i delåret.")
    later = "Budgetmedel till regionstyrelsens förfogande uppgår till ett överskott i prognosen med 98,4 miljoner kronor."
    parts = answer("Budgetmedlen till regionstyrelsens förfogande: överskott i delåret jämfört med prognosen?",
                   [chunk(0, text), chunk(1, later)])
    assert parts is not None and len(parts) == 2
    assert "140 miljoner" in parts[0] and "98,4 miljoner" in parts[1]


def _draft(question: str, chunks: list[Chunk]):
    lexical = LexicalIndex.build(chunks + [chunk(100 + i, text) for i, text in enumerate(FILLER)])
    query = parse_question(question)
    scored = score_candidates(candidates_from([Hit(c, 1.0 / (1 + n)) for n, c in enumerate(chunks)]), query, lexical)
    return compose(query, scored, multi_document=False, min_coverage=0.3, vocabulary=lexical.doc_freq)


def test_a_sentence_is_about_the_body_its_paragraph_just_named_and_lists_items_in_the_next():
    text = ("Nämnden för Service räknar med en positiv avvikelse på 119,6 miljoner kronor. Den huvudsakliga "
            "förklaringen är att flera projekt inte följer ursprunglig tidplan. Det handlar bland annat om "
            "ombyggnad av Iseråsskolan, Vallda BmSS och Frillesås ridklubb.")
    other = "Nämnden för Teknik har flera projekt som inte följer ursprunglig tidplan, bland annat Kolla, Berga."
    question = "Vilka projekt för nämnden för Service följer inte den ursprungliga tidplanen?"
    chunks = [chunk(0, text), chunk(1, other)]
    lexical = LexicalIndex.build(chunks + [chunk(100 + i, t) for i, t in enumerate(FILLER)])
    query = parse_question(question)
    scored = score_candidates(candidates_from([Hit(c, 1.0) for c in chunks]), query, lexical)
    draft = compose(query, demote_unnamed(scored, question), False, 0.3, lexical.doc_freq)
    assert draft is not None
    texts = [p.candidate.text for p in draft.parts]
    assert texts[0].startswith("Den huvudsakliga förklaringen") and "Iseråsskolan" in texts[1]
    assert not any("Teknik" in t for t in texts)


def test_a_difference_between_the_sides_is_computed_only_for_one_measure():
    """Two statements found for the two sides of a comparison may state different things; their
    difference is computed only when both say the same question words beside their side."""
    same = [chunk(0, "Nettoinvesteringarna blev 298,5 miljoner kronor i bokslutet."),
            chunk(1, "Nettoinvesteringarna i budgeten var 461,1 miljoner kronor.")]
    draft = _draft("Hur stora blev nettoinvesteringarna i bokslutet jämfört med budgeten?", same)
    assert draft is not None and any("162,6" in line for line in draft.computed)
    other = [chunk(0, "Nettoinvesteringarna blev 298,5 miljoner kronor i bokslutet."),
             chunk(1, "Exploateringar har skjutits upp och gett en avvikelse mot budgeten på 86,1 miljoner kronor.")]
    draft = _draft("Hur stora blev nettoinvesteringarna i bokslutet jämfört med budgeten?", other)
    assert draft is not None and len(draft.parts) == 2 and draft.computed == []


def test_a_name_the_passage_does_not_mention_cannot_be_answered_by_it():
    from granska.app.answer import demote_unnamed, named

    text = "Sammantaget prognostiserar Regionkontorets verksamhet +13,6 mnkr mot budget för 2020."
    lexical = LexicalIndex.build([chunk(0, text)] + [chunk(100 + i, t) for i, t in enumerate(FILLER)])
    query = parse_question("Vad prognostiserar Närsjukvården för 2020?")
    scored = demote_unnamed(score_candidates(candidates_from([Hit(chunk(0, text), 1.0)]), query, lexical), query.text)
    assert compose(query, scored, False, 0.3, lexical.doc_freq) is None
    assert named("Vad beror överskottet på HoS utvecklingsmedel på?")[0] >= {"hos", "sjukvård"}  # or its expansion


def test_a_repeated_sentence_is_cited_where_its_context_follows():
    said = "Regionkontorets besparingskrav på -8 mnkr prognostiseras rymmas inom överskotten för 2019."
    summary = chunk(0, f"{said} Arbetet med kostnader fortsätter under hösten.")
    detail = chunk(1, f"{said} För besparingskravet återstår ca 2,8 mnkr av den långsiktiga lösningen.")
    parts = answer("Hur stort besparingskrav har Regionkontoret 2019?", [summary, detail])
    assert parts is not None and parts[0] == said and "2,8 mnkr" in parts[-1]


def test_a_table_without_a_label_column_keeps_every_column_name():
    from granska.app.answer import candidates_from as rows_of

    table = chunk(0, "4.2.2.1 Kostnadsutveckling\nAck utfall förra året | Ack utfall i år | Skillnad mot förra året\n"
                     "-77 125 tkr | -74 795 tkr | 2 330 tkr", kind="table")
    (row,) = rows_of([Hit(table, 1.0)])
    assert row.text == "Ack utfall förra året: -77 125 tkr, Ack utfall i år: -74 795 tkr, Skillnad mot förra året: 2 330 tkr"
    assert row.label == "4.2.2.1 Kostnadsutveckling" and not row.row_key


def test_a_why_answer_takes_the_cause_under_its_label_or_after_it():
    text = ("Staden kan inte använda IT-systemen Adato och Stella.\nOrsak till att avvikelsen uppstått\n"
            "Leverantören Miljödata har blivit utsatt för cyberangrepp.\nKonsekvenser för verksamheten")
    parts = answer("Varför kan staden inte använda Adato och Stella?", [chunk(0, text)])
    assert parts is not None and any("cyberangrepp" in p for p in parts)
    text = "Anmärkning har riktats mot nämnden. Anledningen är att nämnden beslutat om bojkott i strid mot kommunallagen."
    parts = answer("Varför fick nämnden anmärkning?", [chunk(0, text)])
    assert parts is not None and any("kommunallagen" in p for p in parts)


def test_a_list_continues_into_the_next_passage_of_its_section():
    first = chunk(0, "Antal major incidents\nVi har under perioden haft major incidents inom följande tjänster:", "Mått")
    second = chunk(1, "• Lokalt nät - LAN (2)\n• Applikationsplattform (1)\n• Telefoni (1)", "Mått")
    parts = answer("Vilka tjänster drabbades av major incidents under första kvartalet?", [first, second])
    assert parts is not None and parts[0].endswith("följande tjänster:")
    assert [p.split()[0] for p in parts[1:]] == ["Lokalt", "Applikationsplattform", "Telefoni"]


def test_a_change_stated_twice_is_answered_with_both_statements():
    detail = chunk(0, "Prognosen för fastighetsdrift är förändrad sedan föregående period från -6 mnkr till -2 mnkr.")
    summary = chunk(1, "Prognosen för fastighetsdrift har förbättrats med +4 mnkr sedan föregående rapport.")
    parts = answer("Hur har prognosen för fastighetsdrift ändrats sedan förra rapporten?", [detail, summary])
    assert parts is not None and len(parts) == 2
    said = " ".join(parts)
    assert "från -6 mnkr till -2 mnkr" in said and "+4 mnkr" in said


def test_the_reports_organisation_ranks_a_passage_and_is_left_out_of_whether_it_answers():
    kpi = "5 Verksamhetsmått\nGrupp | Indikatorer | Utfall | Målvärde\nEkonomi | Periodresultat | 20,1 Mnkr | 0,0 Mnkr"
    income = ("4.2.1 Resultaträkning\nUppdrag, belopp i mnkr | Periodens ack. resultat | Periodens ack. budget\n"
              "Regionkontoret | -40,7 | -47,0")
    chunks = [chunk(0, income, "4.2.1 Resultaträkning", "table"), chunk(1, kpi, "5 Verksamhetsmått", "table")]
    # As in an archive of one organisation's reports, its name is common: most passages say it.
    said = [chunk(200 + i, f"Regionkontoret {t}") for i, t in enumerate(["har vakanser.", "rekryterar.", "flyttar."])]
    lexical = LexicalIndex.build(chunks + said + [chunk(100 + i, t) for i, t in enumerate(FILLER)])
    query = parse_question("Vad är periodresultatet för Regionkontoret?")
    scored = score_candidates(candidates_from([Hit(c, 1.0) for c in chunks]), query, lexical)
    draft = compose(query, scored, False, 0.3, lexical.doc_freq)
    assert draft is not None and "Periodresultat" in draft.parts[0].candidate.text
    assert "20,1 Mnkr" in draft.parts[0].candidate.text

    ours = score_candidates(candidates_from([Hit(chunks[1], 1.0)]), query, lexical)[0]
    other = chunk(1, kpi, "5 Verksamhetsmått", "table", organisation="Region B, Kulturförvaltningen")
    theirs = score_candidates(candidates_from([Hit(other, 1.0)]), query, lexical)[0]
    assert ours.score > theirs.score
    # Whether a passage of the named report answers does not depend on its repeating the name.
    repeated = chunk(1, kpi.replace("Ekonomi |", "Regionkontoret |"), "5 Verksamhetsmått", "table")
    again = score_candidates(candidates_from([Hit(repeated, 1.0)]), query, lexical)[0]
    assert "Regionkontoret" in again.text and again.coverage == ours.coverage
    assert again.score > ours.score  # ... but one that names the unit asked about ranks first


def test_an_abbreviation_and_its_expansion_count_once():
    """A passage that writes out "Regionkontoret" says all the question means by "RK"."""
    rows = "Sjukfrånvaro\nMått | Utfall | Kommentar\nSjukfrånvaro | 2,35% | Män 2,90 % och kvinnor 5,06 %."
    assert answer("Sjukfrånvaro bland män respektive kvinnor på RK?", [chunk(0, rows, "Personal", "table")]) is not None


def test_a_report_stating_the_figure_differently_in_text_and_table_shows_both():
    early = [chunk(0, "Sjukfrånvaron har minskat, nu ligger sjukfrånvaron på 2,40 procent.", document="a.pdf"),
             chunk(1, "Indikator | Utfall | Målvärde\nSjukfrånvaro (R12 medel) | 2,35% | 4%", kind="table",
                   document="a.pdf")]
    late = chunk(2, "Sjukfrånvaron på Regionkontoret är fortsättningsvis låg (2,2%).", document="b.pdf")
    everything = early + [late] + [chunk(100 + i, t) for i, t in enumerate(FILLER)]
    lexical = LexicalIndex.build(everything)
    query = parse_question("Hur hög är sjukfrånvaron?")
    hits = [Hit(c, 1.0 / (1 + n)) for n, c in enumerate(early + [late])]
    draft = compose(query, score_candidates(candidates_from(hits), query, lexical), True, 0.3, lexical.doc_freq)
    assert draft is not None
    said = [(p.candidate.chunk.document, p.candidate.text) for p in draft.parts]
    assert [d for d, _ in said].count("a.pdf") == 2 and [d for d, _ in said].count("b.pdf") == 1
    assert any("2,40 procent" in t for _, t in said) and any("2,35%" in t for _, t in said)


def test_what_something_costs_is_answered_by_its_costs():
    right = "De utökade kostnaderna för cybersäkerhetslagen beräknas uppgå till ca 24 miljoner kronor."
    wrong = "Arbetet med cybersäkerhetslagen beräknas vara klart i september."
    parts = answer("Vad beräknas cybersäkerhetslagen kosta?", [chunk(0, wrong), chunk(1, right)])
    assert parts is not None and parts[0] == right


def test_a_count_is_answered_where_a_number_counts_the_word():
    near = "Den ena enkäten skickades till rektorerna (60 procents svarsfrekvens)."
    count = "Det finns idag (oktober år 2024) 67 rektorer anställda."
    parts = answer("Hur många rektorer finns det?", [chunk(0, near), chunk(1, count)])
    assert parts is not None and parts[0] == count


def test_a_list_goes_on_over_a_page_break_and_past_an_items_second_sentence():
    section = "4 Ekonomi > 4.1.2 Analys av prognosen"
    first = chunk(0, "Budgeten för avdelningarna prognostiserar +33,2 mnkr varav\n• +9,5 mnkr avser vakanser.\n"
                     "• +5,1 mnkr på grund av att införandet av FVIS inte har kunnat fortgå.", section, page=9)
    second = chunk(1, "Dels skrevs avtalet under först i juni månad.\n• +9,0 mnkr kopplat till minskat köp av tjänster.\n"
                      "Budgeten för de förtroendevalda prognostiserar -0,5 mnkr.", section, page=10)
    parts = answer("Vilka poster ligger bakom avdelningarnas +33,2 mnkr?", [first, second])
    assert parts is not None and parts[0].endswith("varav")
    assert [p.split()[0] for p in parts[1:]] == ["+9,5", "+5,1", "Dels", "+9,0"]
    # A page break under no heading at all is no evidence that the text goes on.
    unheaded = [chunk(0, first.text, "", page=9), chunk(1, second.text, "", page=10)]
    parts = answer("Vilka poster ligger bakom avdelningarnas +33,2 mnkr?", unheaded)
    assert parts is not None and [p.split()[0] for p in parts[1:]] == ["+9,5", "+5,1"]


def test_a_why_answer_finds_the_figure_explained_in_the_detailed_section():
    summary = chunk(0, "Ett annat större prognosöverskott är +5,1 mnkr på införandet av FVIS.", "1 Sammanfattning")
    detail = chunk(1, "• +5,1 mnkr på grund av att införandet av FVIS inte har kunnat fortgå i planerad takt.\n"
                      "Dels skrevs avtalet under först i juni, dels har covid-19 bromsat arbetet.", "4 Ekonomi")
    parts = answer("Varför ger FVIS-införandet ett prognosöverskott?", [summary, detail])
    assert parts is not None and parts[0] == summary.text
    assert any("på grund av" in p for p in parts) and any(p.startswith("Dels skrevs") for p in parts)


def test_a_why_answer_prefers_the_statement_its_cause_follows():
    repeated = chunk(0, "Stadsrevisionen har i sin granskning av nämnden valt att rikta en anmärkning mot nämnden. "
                        "Nämnden har yttrat sig.")
    aside = chunk(1, "Ordföranden deltar ej i ärendet om anmärkning på grund av jäv.")
    caused = chunk(2, "Anmärkning har riktats mot nämnden. Anledningen är att nämnden beslutat om bojkott.")
    parts = answer("Varför fick nämnden anmärkning?", [repeated, aside, caused])
    assert parts is not None and any("bojkott" in p for p in parts)


def test_a_why_answer_takes_the_cause_given_before_the_statement():
    text = ("Klimatförändringarna gör att skyfallen blir vanligare, vilket påverkar kvaliteten på badvattnet. "
            "Avdelningen tar badvattenprover, en uppgift som blir allt mer tidskrävande.")
    parts = answer("Varför har provtagningen av badvatten blivit mer tidskrävande?", [chunk(0, text)])
    assert parts is not None and parts[0].startswith("Klimatförändringarna") and "tidskrävande" in parts[1]


def test_a_numbered_list_is_a_list_and_a_leading_minus_is_a_sign():
    text = ("Kommunfullmäktiges presidium föreslår att fullmäktige beslutar:\n"
            "1. Kommunfullmäktige riktar anmärkning mot grundskolenämnden.\n"
            "2. Kommunfullmäktige riktar anmärkning mot inköps- och upphandlingsnämnden.\n"
            "3. Ledamöterna beviljas ansvarsfrihet för verksamhetsåret 2024.")
    parts = answer("Vilka nämnder fick anmärkning?", [chunk(0, text)])
    assert parts is not None and any(p.endswith("mot grundskolenämnden.") for p in parts)
    assert any(p.endswith("upphandlingsnämnden.") for p in parts)
    (line,) = candidates_from([Hit(chunk(1, "-2,5 mnkr på grund av att budgetposten finns kvar i ramen."), 1.0)])
    assert line.text.startswith("-2,5 mnkr") and not line.bullet


def test_without_a_period_a_years_amount_answers_before_the_year_to_date():
    to_date = chunk(0, "4.2.1 Resultaträkning\nUppdrag | Periodens ack. resultat | Periodens ack. budget\n"
                       "Regionbidrag | 76,4 | 76,4", "4.2.1 Resultaträkning", "table")
    whole = chunk(1, "4.1.2 Analys av prognosen\nUppdrag | Årsprognos | Årsbudget\nRegionbidrag | 448,9 | 448,9",
                  "4.1.2 Analys av prognosen", "table")
    parts = answer("Hur stort är regionbidraget?", [to_date, whole])
    assert parts is not None and "448,9" in parts[0]
    parts = answer("Hur stort är det ackumulerade regionbidraget?", [to_date, whole])
    assert parts is not None and "76,4" in parts[0]


def test_a_table_row_that_states_more_than_the_text_is_shown_beside_it():
    said = chunk(0, "Den samlade kostnadsutvecklingen efter åtta månader är -5,1% jämfört med budget.", document="a.pdf")
    table = chunk(1, "Kostnadsutveckling\nKostn. utv. mot föreg. år | Budg. kostn. utv. | Utfall\n15,8% | 10,7% | -5,1%",
                  "Kostnadsutveckling", "table", document="a.pdf")
    other = chunk(2, "Kostnadsutvecklingen uppgår till -3,0 procent jämfört med föregående år.", document="b.pdf")
    lexical = LexicalIndex.build([said, table, other] + [chunk(100 + i, t) for i, t in enumerate(FILLER)])
    query = parse_question("Hur ser kostnadsutvecklingen ut?")
    hits = [Hit(c, 1.0 / (1 + n)) for n, c in enumerate([said, table, other])]
    draft = compose(query, score_candidates(candidates_from(hits), query, lexical), True, 0.3, lexical.doc_freq)
    assert draft is not None
    shown = " ".join(p.candidate.text for p in draft.parts)
    assert "-5,1%" in shown and "15,8%" in shown and "-3,0 procent" in shown


def test_a_compounds_parts_may_be_heads_of_the_tables_words_but_not_their_modifiers():
    from granska.app.answer import _is_head_of

    table = chunk(0, "5.4 Investeringar\nInvesteringar (Mnkr) | Ack.utfall | Årsprognos | Årsbudget\n"
                     "TOTAL | -104,7 | -227,1 | -288,0", "5 Ekonomi > 5.4 Investeringar", "table")
    said = [chunk(10 + i, t) for i, t in enumerate(["Budget och utfall följs upp.", "Budgeten är beslutad.",
                                                     "Investeringen i larm är klar."])]
    lexical = LexicalIndex.build([table] + said + [chunk(100 + i, t) for i, t in enumerate(FILLER)])
    query = parse_question("Hur stor är investeringsbudgeten?")
    (row,) = score_candidates(candidates_from([Hit(table, 1.0)]), query, lexical)
    assert row.coverage >= 0.75 and "-288,0" in row.text
    assert _is_head_of(frozenset({"budget"}), {"årsbudget"})
    assert not _is_head_of(frozenset({"beredskap"}), {"beredskapsplanering"})


def test_a_sentence_cut_by_a_page_break_is_quoted_whole():
    section = "4.2 Medarbetare i siffror"
    before = chunk(0, "Fokus ligger på att bibehålla en låg sjukfrånvaro. Sjukfrånvaron", section, page=36)
    after = chunk(1, "har under 2019 minskat med 0,5 procent, nu ligger sjukfrånvaron på 2,40 procent.", section, page=37)
    texts = [c.text for c in candidates_from([Hit(after, 1.0), Hit(before, 0.0)])]
    assert "Sjukfrånvaron har under 2019 minskat med 0,5 procent, nu ligger sjukfrånvaron på 2,40 procent." in texts
    elsewhere = chunk(1, after.text, "Annat avsnitt", page=37)  # not the same text going on
    assert candidates_from([Hit(elsewhere, 1.0), Hit(before, 0.0)])[0].text.startswith("har under")


def test_a_comparison_in_one_report_does_not_pair_its_subject_with_another_one():
    costs = "Kostnadsutvecklingen uppgår till -3,5 procent, en kostnadsminskning med 14,7 mnkr jämfört med föregående år."
    income = "Intäktsutvecklingen uppgår till -6,5 procent, en intäktsminskning med 7 mnkr jämfört med föregående år."
    parts = answer("Hur mycket minskade kostnaderna i oktober 2020 jämfört med förra året?",
                   [chunk(0, costs, "4.2.2.1 Kostnadsutveckling"), chunk(1, income, "4.2.2.2 Intäktsutveckling")])
    assert parts == [costs]


def test_alternative_names_count_once_and_a_deviation_column_shows_a_surplus():
    said = chunk(0, "Utvecklingsmedlen inom Tillväxt prognostiserar +3,5 mnkr i överskott.", document="a.pdf")
    row = chunk(1, "Uppdrag, belopp i mnkr | Årsprognos | Årsbudget | Prognostiserad avvikelse mot budget\n"
                   "Utvecklingsmedel Regional utveckling | -27,7 | -27,7 | 0,0", "4.1.2 Analys av prognosen", "table",
                document="b.pdf")
    lexical = LexicalIndex.build([said, row] + [chunk(100 + i, t) for i, t in enumerate(FILLER)])
    query = parse_question("Hur stort blir överskottet på utvecklingsmedlen för regional utveckling/Tillväxt?")
    assert query.alternatives == [frozenset({"utveckling", "tillväxt"})]
    hits = [Hit(said, 1.0), Hit(row, 0.5)]
    draft = compose(query, score_candidates(candidates_from(hits), query, lexical), True, 0.3, lexical.doc_freq)
    assert draft is not None and {p.candidate.chunk.document for p in draft.parts} == {"a.pdf", "b.pdf"}
    assert any("0,0" in p.candidate.text for p in draft.parts)
    from dataclasses import replace

    (alone,) = score_candidates(candidates_from([Hit(row, 1.0)]), replace(query, alternatives=[]), lexical)
    (either,) = score_candidates(candidates_from([Hit(row, 1.0)]), query, lexical)
    assert either.coverage > alone.coverage  # "utveckling" stands for "Tillväxt" too


def test_the_exact_table_figure_behind_a_rounded_one_is_shown():
    section = "4.2.2.1 Kostnadsutveckling"
    text = chunk(0, "Kostnadsutvecklingen uppgår till -3,0 procent, en kostnadsminskning med 2 mnkr jämfört med "
                    "föregående år.", section)
    table = chunk(1, "4.2.2.1 Kostnadsutveckling\nAck utfall förra året | Ack utfall i år | Skillnad mot förra året\n"
                     "-77 125 tkr | -74 795 tkr | 2 330 tkr", section, "table")
    near = chunk(2, "Laddstolpar\nObjekt | Årsbudget\nMöbler och utrustning | 1 400 tkr", section, "table")
    parts = answer("Hur mycket lägre var kostnaderna jan–feb 2020 än samma period 2019?", [text, table, near])
    assert parts is not None and parts[0] == text.text
    assert any("2 330 tkr" in p for p in parts) and not any("1 400 tkr" in p for p in parts)


def test_a_summary_that_lists_amounts_is_followed_by_the_detail_of_the_item_asked_about():
    summary = chunk(0, "Större avvikelser är bland annat försäljningen av textilier till Berendsen för +9,0 mnkr, "
                       "ePlan drift -11,0 mnkr samt fastighetsförvaltningen +13,6 mnkr.", "Sammanfattning")
    detail = chunk(1, "Region Hallands textilstock har sålts av till Berendsen i samband med ett nytt avtal. "
                      "Denna åtgärd har medfört en engångsintäkt på ca 9 mnkr. "
                      "Jämfört med budget innebär det ett överskott på +6,5 mnkr.", "Analys av prognosen")
    parts = answer("Hur mycket drog försäljningen av textilierna till Berendsen in?", [summary, detail])
    assert parts is not None and parts[0] == summary.text
    assert any("ca 9 mnkr" in p for p in parts) and any("+6,5 mnkr" in p for p in parts)
    # Without the item's name in the detail, an equal amount elsewhere is no detail of it.
    other = chunk(2, "Lokalerna har renoverats under året. Kostnaden blev ca 9 mnkr.", "Lokaler")
    parts = answer("Hur mycket drog försäljningen av textilierna till Berendsen in?", [summary, other])
    assert parts is not None and not any("Kostnaden blev" in p for p in parts)


def test_a_row_that_states_its_own_unit_is_not_given_the_captions():
    from granska.app.answer import _row_candidates

    table = chunk(0, "Låneskuld, miljoner kronor\n | 2023 | 2024\nLåneskuld till banker | 1 300 | 1 200\n"
                     "Genomsnittlig ränta (%) | 0,71 | 1,30\nAntal lån (antal) | 12 | 14", kind="table")
    rows = {c.label: c.text for c in _row_candidates(table, 0)}
    assert "1 200 mnkr" in rows["Låneskuld till banker"]
    assert "mnkr" not in rows["Genomsnittlig ränta (%)"] and "mnkr" not in rows["Antal lån (antal)"]


def test_a_compound_asked_is_met_by_its_parts_written_as_a_genitive_phrase():
    """"årsresultat" in the question, "Årets resultat" in the income statement: the compound's
    head (its linking -s dropped) is there in its definite genitive; "år" alone in another word is not."""
    from granska.app.answer import _inflected_in
    from granska.index.lexical import split_compound

    assert split_compound("årsresultat", {"år": 4, "resultat": 5}) == [frozenset({"år"}), frozenset({"resultat", "result"})]
    assert split_compound("årsresultat", {"å": 4, "rsresultat": 5}) == []  # three letters make a head only with -s
    assert _inflected_in(frozenset({"år"}), {"årets", "resultat"})
    assert _inflected_in(frozenset({"periods"}), {"periodens"})
    assert not _inflected_in(frozenset({"år"}), {"åren2", "årskurs"})
    table = chunk(0, "Resultaträkning\nMiljoner kronor | Budget 2024 | Bokslut 2024\nÅrets resultat | -0,7 | -10,3\n"
                     "Verksamhetens intäkter | 232,5 | 224,1", "1.1 Resultaträkning", "table")
    year = chunk(1, "Ett år med höga kostnader.")
    lexical = LexicalIndex.build([table, year] + [chunk(100 + i, t) for i, t in enumerate(FILLER)])
    query = parse_question("Hur blev årsresultatet 2024 jämfört med budget?")
    best = score_candidates(candidates_from([Hit(table, 1.0)]), query, lexical)[0]
    assert best.label == "Årets resultat" and "årsresultatet" in best.matched


def test_one_period_against_its_budget_is_one_reports_comparison_and_no_difference_of_two_measures():
    """"Hur blev årets resultat 2024 jämfört med budget?" with two reports of 2024 in the archive:
    the comparison is the one report's (outcome against budget); another report's statement of
    another measure is no side of it, and no difference is computed between the two."""
    from dataclasses import replace

    own = replace(chunk(0, "Årets resultat är ett underskott på 10,3 mnkr, att jämföra med ett budgeterat resultat på -0,7 mnkr.",
                        document="a.pdf"), period_end=202412, year=2024)
    other = replace(chunk(1, "Verksamhetens resultat uppgår till 376,9 mnkr jämfört med budget 220,1 mnkr.",
                          document="b.pdf"), period_end=202408, year=2024)
    everything = [own, other] + [chunk(100 + i, text) for i, text in enumerate(FILLER)]
    lexical = LexicalIndex.build(everything)
    query = parse_question("Hur blev årets resultat 2024 jämfört med budget?")
    scored = score_candidates(candidates_from([Hit(own, 1.0), Hit(other, 0.5)]), query, lexical)
    draft = compose(query, scored, multi_document=True, min_coverage=0.3, vocabulary=lexical.doc_freq)
    assert draft is not None and {p.candidate.chunk.document for p in draft.parts} == {"a.pdf"}
    assert not draft.computed
    assert "jämfört" not in {t for t, _ in query.terms}  # the comparison's own word is no measure


def test_acronyms_are_recognised_by_their_spelling_not_by_a_list():
    from granska.app.acronyms import acronyms, expansions

    assert acronyms("Uppföljning drift GT, GT-verksamheten, HoS och A&Å; av och va i löptext") == {"GT", "HoS", "A&Å"}
    assert expansions({"GT"}, "Hur stora var intäkterna för Gata och trafik?") == [("gata", "trafik")]
    assert expansions({"HoS"}, "Utvecklingsmedel Hälso- och sjukvård") == [("hälso", "sjukvård")]
    assert expansions({"GT"}, "Gata, park och natur") == []  # initials GPN, not GT


def test_a_unit_named_in_full_is_named_by_its_acronym_in_a_heading_and_the_other_way_round():
    """A table under "Uppföljning drift GT" answers a question about "Gata och trafik" (the name
    is not demoted away), and a question about "GT-verksamheten" is answered by a section headed
    in full; the row of another unit ("Park") still does not answer."""
    rows = "Resultaträkning (mnkr)\nPost | Budget 2024 | Bokslut 2024\nVerksamhetens intäkter | 232,5 | 224,1"
    other = "Resultaträkning (mnkr)\nPost | Budget 2024 | Bokslut 2024\nVerksamhetens intäkter | 40,0 | 36,2"
    for question, section in (("Hur stora var verksamhetens intäkter för Gata och trafik 2024?", "Uppföljning drift GT"),
                              ("Hur stora var GT-verksamhetens intäkter 2024?", "Uppföljning drift Gata och trafik")):
        chunks = [chunk(0, rows, section=section, kind="table"), chunk(1, other, section="Uppföljning drift Park", kind="table")]
        lexical = LexicalIndex.build(chunks + [chunk(100 + i, t) for i, t in enumerate(FILLER)])
        query = parse_question(question)
        scored = demote_unnamed(score_candidates(candidates_from([Hit(c, 1.0) for c in chunks]), query, lexical), question)
        draft = compose(query, scored, False, 0.3, lexical.doc_freq)
        assert draft is not None and "224,1" in draft.parts[0].candidate.text, question
        assert not any("36,2" in p.candidate.text for p in draft.parts), question


def test_a_row_says_the_column_headers_over_its_figures():
    """ "Vad är budgeten för X 2024?" is answered by X's row, whose column "Budget 2024" holds the
    budget, not by a sentence that says "inom budget" about a project of X: a row states its
    headers' measures as plainly as a sentence states its words (they were only context)."""
    table = ("Investeringar (mnkr)\nVerksamhet | Delår 2024 | Budget 2024 | Prognos 2024\n"
             "Gata och park | 201,9 | 591,6 | 389,2\nIdrott | 10,0 | 20,0 | 19,0")
    sentence = "GP-sanering etapp 1: projektet på 12,0 mnkr blir klart under året och inom budget."
    parts = answer("Vad är budgeten för Gata och park 2024?",
                   [chunk(1, table, section="Investeringar", kind="table"), chunk(0, sentence, section="Investeringar")])
    assert parts is not None and parts[0].startswith("Gata och park –") and "Budget 2024: 591,6" in parts[0]


def test_a_comparison_of_two_years_is_answered_by_the_row_with_a_column_for_each():
    """The sentence that says most of the question's words states neither year; the row with
    "Delår 2023" and "Delår 2024" columns states both sides of the comparison."""
    sentence = "Vid delåret har nämnden för Gata och park budgetansvar för nämndens egen driftsbudget, 1,0 miljoner kronor."
    table = ("Driftredovisning (mnkr)\nNämnd | Bokslut 2023 | Budget 2024 | Delår 2023 | Delår 2024\n"
             "Nämnden för Gata och park | -0,8 | -1,0 | -0,7 | -0,5\nNämnden för Idrott | -2,0 | -2,1 | -1,5 | -1,4")
    parts = answer("Hur stort var nämnden för Gata och parks utfall vid delåret 2024 jämfört med delåret 2023, "
                   "enligt nämndens egen rapport?",
                   [chunk(0, f"{sentence} Arbetet fortsätter.", section="Ekonomi"), chunk(1, table, section="Ekonomi", kind="table")])
    assert parts == ["Nämnden för Gata och park – Bokslut 2023: -0,8 mnkr, Budget 2024: -1,0 mnkr, "
                     "Delår 2023: -0,7 mnkr, Delår 2024: -0,5 mnkr"]


def test_a_heading_leads_through_a_sentence_to_the_list_it_introduces():
    text = ("Fortsatt arbete med införandet av den nya säkerhetslagen\n"
            "Arbetet fortsätter under nästa år och kostnaderna beräknas uppgå till ca 12 miljoner kronor. "
            "Ingående delar i arbetet avser:\n• Centraliserad logghantering\n• Skydd mot skadlig kod\n• Förstärkt skalskydd")
    parts = answer("Vilka delar ingår i det fortsatta arbetet med säkerhetslagen?", [chunk(0, text, "Budget")])
    assert parts is not None and parts[0].startswith("Fortsatt arbete")
    assert parts[-3:] == ["Centraliserad logghantering", "Skydd mot skadlig kod", "Förstärkt skalskydd"]


def test_a_year_told_from_a_later_report_is_answered_with_the_rest_of_its_passage():
    """Only a statement that says the year asked about may answer (the scope requires it), but
    the list it introduces completes the answer though its items never repeat the year."""
    from types import SimpleNamespace

    from granska.app.answer import ChapterWords
    from granska.app.engine import Engine
    from granska.app.scope import Scope

    text = ("Arbetet med den nya säkerhetslagen fortsätter under 2027. Ingående delar i arbetet 2027 avser:\n"
            "• Centraliserad logghantering\n• Skydd mot skadlig kod\n• Förstärkt skalskydd")
    other = "Under 2026 har arbetet med säkerhetslagen bedrivits enligt plan."
    chunks = [chunk(0, text, "Budget"), chunk(1, other, "Uppdrag")]
    lexical = LexicalIndex.build(chunks + [chunk(100 + i, t) for i, t in enumerate(FILLER)])
    view = SimpleNamespace(state=SimpleNamespace(lexical=lexical), chapter_says=ChapterWords(chunks))
    question = "Vilka delar ingår i arbetet med säkerhetslagen 2027?"
    query = parse_question(question)
    scope = Scope([], restricted=True, required_all={"2027"})
    scored = Engine._scored(view, question, query, scope, [Hit(c, 1.0 / (1 + n)) for n, c in enumerate(chunks)])
    assert all(c.chunk.id == "c0" for c in scored)  # the passage that never says 2027 is gone
    assert all(c.coverage == 0.0 for c in scored if "2027" not in c.text)  # items complete, never answer
    draft = compose(query, scored, multi_document=False, min_coverage=0.3, vocabulary=lexical.doc_freq)
    assert draft is not None
    assert [p.candidate.text for p in draft.parts][-3:] == ["Centraliserad logghantering", "Skydd mot skadlig kod",
                                                             "Förstärkt skalskydd"]


def test_a_table_row_is_about_the_unit_its_chapter_names_in_prose():
    """A chapter names the unit it reports on once, in its opening prose, and then tabulates
    without repeating it: a row of that chapter answers a question naming the unit. The same
    row in a chapter opened about another unit does not, though a later passage of the chapter
    names the asked one in passing (the name is still required, and a mention is not a subject)."""
    from granska.app.answer import ChapterWords

    question = "Vilken frisknärvaro hade Bygg- och miljöförvaltningen 2024?"
    table = "Effektmått (%)\nMått | 2023 | 2024\nFrisknärvaro | 71,0 | 73,5"
    for opening, answers in (("Statistiken innefattar hela Bygg- och miljöförvaltningen.", True),
                             ("Statistiken innefattar hela Kulturförvaltningen.", False)):
        chunks = [chunk(0, opening, section="3 Personal"),
                  chunk(1, table, section="3 Personal > 3.4 Effektmått", kind="table"),
                  chunk(2, "Samarbetet med Bygg- och miljöförvaltningen fortsätter.", section="3 Personal > 3.5 Samverkan"),
                  chunk(3, "Bygg- och miljöförvaltningen har ett nytt ärendesystem.", section="5 Verksamhet")]
        lexical = LexicalIndex.build(chunks + [chunk(100 + i, t) for i, t in enumerate(FILLER)])
        query = parse_question(question)
        scored = score_candidates(candidates_from([Hit(chunks[1], 1.0)]), query, lexical)
        row = demote_unnamed(scored, question, ChapterWords(chunks))[0]
        assert (row.coverage > 0) is answers, opening
        assert demote_unnamed(scored, question)[0].coverage == 0  # without the chapter: unnamed


def test_a_row_that_states_per_cent_gives_its_bare_figures_the_per_cent_sign():
    """ "Genomsnittlig ränta (%)" in a table of amounts: its figures are per cents, and the
    answer says so (a bare "1,57" would be read as the caption's mnkr or as nothing). A row
    without the mark keeps the caption's unit."""
    table = chunk(0, "Låneskuld, miljoner kronor | 2023 | Prognos 2024\nLåneskuld | 1 200 | 1 300\n"
                     "Genomsnittlig ränta (%) | 1,30 | 1,57", kind="table")
    debt, rate = candidates_from([Hit(table, 1.0)])
    assert rate.text == "Genomsnittlig ränta (%) – 2023: 1,30 %, Prognos 2024: 1,57 %"
    assert [f.unit for f in rate.figures] == ["%", "%"]
    assert debt.text == "Låneskuld – 2023: 1 200 mnkr, Prognos 2024: 1 300 mnkr"
