"""The document's words and number formats in Danish and English.

Danish is the steering group's language and the default; the terms are the ones Borgerservice
uses (serviceniveau, ventetid, opgivne opkald, medarbejdertimer, efterbehandling). Municipality
names come from the `municipalities` dimension and topic labels from the `topics` dimension
(label_da / label_en), never from here. Every key exists in both languages (a test checks).
"""

from __future__ import annotations

from datetime import date

__all__ = ["LANGS", "Words"]

LANGS = ("da", "en")

_MONTHS = {
    "da": (
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_MONTHS_SHORT = {
    "da": (
        "jan.",
        "feb.",
        "mar.",
        "apr.",
        "maj",
        "jun.",
        "jul.",
        "aug.",
        "sep.",
        "okt.",
        "nov.",
        "dec.",
    ),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_WEEKDAYS = {
    "da": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_WEEKDAYS_SHORT = {
    "da": ("man", "tir", "ons", "tor", "fre", "lør", "søn"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}

TEXT: dict[str, dict[str, str]] = {
    "da": {
        "title": "Evaluering af pilotprojektet: den fælles aftentelefon",
        "subtitle": (
            "Hotline {phone}, åben {hours}, for borgere i {municipalities} kommuner "
            "({population} borgere), bemandet af et tværkommunalt team på {team} medarbejdere."
        ),
        "period": "Periode: {first} til {last} ({evenings} åbne aftener med opkald).",
        "generated": (
            "Dannet {at} fra ClickHouse-databasen {database}. Alle tal kommer fra databasens views."
        ),
        "contents": "Indhold",
        "s1": "1. Resumé",
        "s2": "2. Service og bemanding",
        "s3": "3. Muligheder for en permanent ordning",
        "s4": "4. Prognose for de første måneder",
        "s5": "5. Datakvalitet",
        "s6": "Metode og forudsætninger",
        "card_calls": "opkald i åbningstiden",
        "card_callers": "unikke opkaldere",
        "card_sl": "serviceniveau (mål: {target} besvaret inden for {seconds} s)",
        "card_wait": "gennemsnitlig ventetid (besvarede opkald)",
        "card_abandon": "opgivne opkald",
        "card_evening": "opkald pr. åben aften",
        "card_closed": "opkald mens der var lukket",
        "answers": "Svarene i én sætning",
        "q_growth": "Vokser efterspørgslen?",
        "q_who": "Hvem ringer?",
        "q_what": "Om hvad?",
        "q_when": "Hvornår?",
        "growth_growing": (
            "Ja: antallet af opkald pr. åben aften voksede med {growth} om året "
            "(95 %-konfidensinterval {low} til {high}), korrigeret for ugedag."
        ),
        "growth_falling": (
            "Nej, den faldt: {growth} om året (95 %-konfidensinterval {low} til {high}), "
            "korrigeret for ugedag."
        ),
        "growth_flat": (
            "Ikke påviseligt: ændringen var {growth} om året (95 %-konfidensinterval {low} til "
            "{high}); det er foreneligt med en uændret efterspørgsel."
        ),
        "growth_none": (
            "Det kan ikke siges endnu: perioden har under otte ugers aftener med opkald."
        ),
        "growth_season": (
            "Med ét års data kan en trend og en sæsonvariation (fx sommerferien) ikke skilles ad."
        ),
        "who_same": (
            "Borgerne i de {n} kommuner ringer lige meget pr. indbygger: forskellene ligger inden "
            "for det, tilfældigheder giver ({p}); i gennemsnit {rate} opkald pr. 1.000 borgere "
            "i perioden."
        ),
        "who_differ": (
            "Forskellene mellem kommunerne er større end tilfældigheder giver ({p}). Flere "
            "opkald pr. borger end de øvrige: {higher}. Færre: {lower}. Ikke til at skelne fra "
            "de øvrige: {same}."
        ),
        "who_none": "Ingen",
        "who_callers_agree": "Samme konklusion med unikke opkaldere i stedet for opkald ({p}).",
        "who_callers_disagree": (
            "Med unikke opkaldere i stedet for opkald bliver konklusionen en anden ({p}): "
            "gentagne opkald fra de samme borgere trækker tallene."
        ),
        "what": (
            "Flest opkald handlede om {first} ({first_share}) og {second} ({second_share}); "
            "{out} af opkaldene drejede sig om sagsbehandling eller status på en sag, som "
            "hotlinen ikke kan hjælpe med."
        ),
        "when": (
            "Travlest om {weekday}en ({weekday_calls} opkald pr. aften) og kl. {slot} "
            "({slot_calls} opkald pr. halve time); {closed} opkald ({closed_share}) kom, mens der "
            "var lukket."
        ),
        "months_title": "Måned for måned",
        "col_month": "Måned",
        "col_evenings": "Åbne aftener",
        "col_calls": "Opkald",
        "col_per_evening": "Pr. aften",
        "col_callers": "Unikke opkaldere",
        "col_sl": "Serviceniveau",
        "col_wait": "Gns. ventetid",
        "col_abandon": "Opgivne",
        "col_closed": "Mens lukket",
        "col_total": "Hele perioden",
        "munis_title": "Opkald pr. 1.000 borgere pr. kommune",
        "col_municipality": "Kommune",
        "col_population": "Borgere",
        "col_rate": "Opkald pr. 1.000 borgere",
        "col_interval": "95 %-interval",
        "col_callers_rate": "Unikke opkaldere pr. 1.000",
        "col_versus": "I forhold til de øvrige",
        "higher": "flere",
        "lower": "færre",
        "same": "ikke forskellig",
        "munis_note": (
            "Opkald i åbningstiden med et postnummer i en af de {n} kommuner ({attributed} af "
            "{calls}); opkald uden postnummer, med ukendt postnummer eller udefra indgår ikke, så "
            "tallene er i underkanten. Intervallet er det eksakte Poisson-interval (Garwood); "
            "forskelle er testet med chi-i-anden-test og eksakte tests for to rater med "
            "Holm-korrektion (5 %)."
        ),
        "population_source": "Befolkning {date}: {source}.",
        "topics_title": "Hvad borgerne ringer om",
        "col_topic": "Emne",
        "col_in_scope": "Inden for hotlinens opgave",
        "col_share": "Andel",
        "col_answered": "Besvaret",
        "yes": "ja",
        "no": "nej",
        "when_title": "Hvornår borgerne ringer",
        "col_weekday": "Ugedag",
        "service_intro": (
            "Serviceniveauet var {observed} på aftener med registrerede medarbejdere. Med det "
            "antal medarbejdere, der faktisk var ved telefonerne i hver halve time, forventer "
            "køteorien (Erlang A) {model}."
        ),
        "service_agrees": (
            "Serviceniveauet var altså det, bemandingen gav: i de travleste halve timer var der "
            "{staffed} medarbejdere ved telefonerne, hvor der skulle {needed} til for at nå "
            "målet ({target} inden for {seconds} s)."
        ),
        "service_worse": (
            "Serviceniveauet var lavere, end bemandingen burde give: opkaldene var længere, "
            "borgerne mindre tålmodige eller medarbejderne ikke ledige, selv om de var logget ind."
        ),
        "service_better": (
            "Serviceniveauet var højere, end modellen forventer med den bemanding: modellen er "
            "forsigtig her."
        ),
        "service_no_agents": (
            "Der er ingen medarbejderhændelser i perioden, så det vides ikke, hvor mange der var "
            "ved telefonerne; nedenfor står kun, hvor mange modellen kræver."
        ),
        "assumptions_title": "Forudsætninger",
        "col_input": "Størrelse",
        "col_value": "Værdi",
        "col_source": "Kilde",
        "a_talk": "Samtaletid pr. besvaret opkald (gennemsnit)",
        "a_wrap": "Efterbehandling pr. besvaret opkald",
        "a_shrink": "Pauser (andel af logget-ind-tid i åbningstiden)",
        "a_patience": "Borgernes tålmodighed i køen (gennemsnit)",
        "a_target": "Servicemål",
        "a_occupancy": "Højeste belægning",
        "a_evenings": "Aftener med medarbejderhændelser",
        "src_observed": "målt på opkaldene",
        "src_agent_events": "målt på medarbejderhændelserne",
        "src_assumed": "antaget (ingen målinger); kan ændres",
        "src_given": "angivet ved kørslen",
        "src_estimated": "estimeret fra ventetider og opgivne opkald",
        "src_erlang_c": "ingen (Erlang C: ingen lægger på)",
        "src_no_abandons": "ingen opgivne opkald: Erlang C",
        "src_rules": "forretningsregel",
        "service_table_title": "Pr. halve time i ugen",
        "col_slot": "Halve time",
        "col_calls_mean": "Opkald (gns.)",
        "col_logged_in": "Logget ind",
        "col_staffed": "Ved telefonerne",
        "col_needed": "Nødvendige (Erlang A)",
        "col_rostered": "Inkl. pauser",
        "col_model_sl": "Forventet serviceniveau med de faktiske",
        "hours_line": (
            "Piloten brugte {pilot} medarbejdertimer om ugen i åbningstiden (plus {overhead} før "
            "åbning og efter lukning); modellen kræver {needed} for at nå målet en "
            "gennemsnitlig uge."
        ),
        "options_intro": (
            "Hver mulighed er bemandet til servicemålet ({target} inden for {seconds} s) en "
            "gennemsnitlig uge og regnet om til medarbejdertimer om ugen og timer pr. medarbejder "
            "af de {team}. Serviceniveauet i en travl uge (90 %-fraktilen af hver halve time) er "
            "med samme bemanding."
        ),
        "col_option": "Mulighed",
        "col_open_hours": "Åbne timer pr. uge",
        "col_queue_calls": "Opkald i kø pr. uge",
        "col_agent_hours": "Medarbejdertimer pr. uge",
        "col_per_person": "Timer pr. medarbejder",
        "col_peak": "Flest samtidig",
        "col_sl_mean": "Serviceniveau, gns. uge",
        "col_sl_busy": "Serviceniveau, travl uge",
        "col_hours_busy": "Timer til en travl uge",
        "opt_pilot": "Piloten som den var bemandet (målt)",
        "opt_today": "Som i dag: {days} {hours}",
        "opt_shorter": "Kortere aftener: {days} {hours}",
        "opt_longer": "Længere aftener: {days} {hours}",
        "opt_without_calmest_day": "Fire aftener: lukket om {weekday}en (den roligste)",
        "opt_three_busiest_days": "Tre aftener: {weekdays} (de travleste)",
        "opt_more_citizens": "Flere kommuner: +{population} borgere (samme opkald pr. borger)",
        "opt_without_largest": "Uden {name} ({population} borgere)",
        "opt_without_smallest": "Uden {name} ({population} borgere)",
        "opt_growth": "Vækst: {growth} flere opkald",
        "opt_trend_year": "Periodens trend et år frem ({growth})",
        "options_note": (
            "Ved kortere aftener og færre dage antages borgerne at ringe på et andet åbent "
            "tidspunkt (samme antal opkald om ugen); nye tidspunkter får belastningen fra det "
            "nærmeste åbne tidspunkt. Flere eller færre kommuner skaleres med befolkningen. "
            "+{population} borgere er et regneeksempel, ikke en bestemt kommune. Timerne er "
            "logget-ind-tid i åbningstiden; ferie og sygdom kommer oveni."
        ),
        "within_team": "inden for teamet",
        "over_team": "flere end teamet på {team}",
        "unserved_title": "Efterspørgsel hotlinen ikke dækker",
        "unserved_scope": (
            "{calls} opkald ({per_week} om ugen) handlede om sagsbehandling eller status på en "
            "sag; de {answered} besvarede af dem kostede {hours} medarbejdertimer ({hours_week} om "
            "ugen) til samtale og efterbehandling."
        ),
        "unserved_closed": (
            "{calls} opkald ({per_week} om ugen) kom, mens der var lukket, og fik lukkebeskeden."
        ),
        "breakeven_title": "Hvornår betaler hotlinen sig selv?",
        "breakeven_text": (
            "En flytning, der klares ved skranken, koster op til {k} gange den digitale. Et "
            "opkald, hvorefter borgeren selv gennemfører opgaven digitalt, sparer derfor (k − 1) "
            "· c. Hotlinen betaler sig selv, når andelen p af de besvarede opkald, der ender "
            "sådan, opfylder"
        ),
        "breakeven_inputs": "Størrelser",
        "be_H": "medarbejdertimer pr. uge (som i dag, bemandet til målet)",
        "be_N_moving": "besvarede opkald om flytning pr. uge",
        "be_N_scope": "besvarede opkald inden for hotlinens opgave pr. uge",
        "be_k": "hvor mange gange dyrere en flytning ved skranken er (op til)",
        "be_w": "pris for en medarbejdertime (kommunernes eget tal)",
        "be_c": "pris for én digital opgave (kommunernes eget tal)",
        "be_unknown": "ikke kendt af rapporten",
        "breakeven_moving": "Regnes kun flytninger med (k = {k}):",
        "breakeven_scope": "Regnes alle besvarede opkald inden for opgaven med (k ukendt):",
        "breakeven_given": "Med de angivne priser: p* = {share}.",
        "breakeven_note": (
            "Rapporten opfinder ikke w, c eller p: kommunerne indsætter deres egne tal. "
            "p* over 100 % betyder, at opkaldene alene ikke kan bære udgiften."
        ),
        "forecast_better": (
            "Prognosemodellen er bedst: på de {weeks} tilbageholdte uger ramte den i gennemsnit "
            "{model} opkald ved siden af pr. halve time mod {naive} for sidste uges tal, "
            "{change} mindre fejl."
        ),
        "forecast_worse": (
            "Sidste uges tal er bedst: på de {weeks} tilbageholdte uger ramte det i gennemsnit "
            "{naive} opkald ved siden af pr. halve time mod {model} for prognosemodellen."
        ),
        "forecast_no_backtest": (
            "Ingen test på tilbageholdte uger: at holde {held} uger tilbage kræver mindst {need} "
            "uger med data, og perioden har {have}."
        ),
        "backtest_title": "Test på tilbageholdte uger ({first} til {last})",
        "col_method": "Metode",
        "col_mae": "Gns. fejl pr. halve time",
        "col_rmse": "RMSE pr. halve time",
        "col_weekly_mae": "Gns. fejl på ugens antal",
        "col_bias": "Skævhed",
        "m_model": "Prognosemodel (niveau, trend, helligdage)",
        "m_naive": "Sidste uges tal (samme halve time)",
        "forecast_title": "Prognose fra {start}",
        "col_week": "Uge (mandag)",
        "col_closed_days": "Lukket",
        "col_peak_calls": "Travleste halve time",
        "col_peak_agents": "Flest samtidig",
        "forecast_note": (
            "Niveau: gennemsnittet af de seneste {evenings} åbne aftener med samme ugedag for hver "
            "halve time; trend: periodens vækst ({growth} om året); helligdage lukket efter "
            "kalenderen. Efter {ends} antages pilotens åbningstider at fortsætte, lukket på "
            "helligdage. En årlig sæson (sommer, jul) kan ikke skønnes ud fra ét år."
        ),
        "forecast_note_short": (
            "Niveau: gennemsnittet af de seneste {evenings} åbne aftener med samme ugedag for hver "
            "halve time; trend: periodens vækst ({growth} om året); helligdage lukket efter "
            "kalenderen. En årlig sæson (sommer, jul) kan ikke skønnes ud fra ét år."
        ),
        "no_trend": "ingen, for kort periode",
        "quality_intro": (
            "{calls} opkald i alt i perioden, heraf {within} i åbningstiden. {missing} af "
            "{scheduled} planlagte åbne aftener har ingen opkald i databasen."
        ),
        "col_measure": "Forhold",
        "col_count": "Antal",
        "q_no_postcode": "Uden postnummer",
        "q_unknown_postcode": "Ukendt postnummer",
        "q_outside": "Postnummer uden for de {n} kommuner",
        "q_catchment": "Postnummer i de {n} kommuner",
        "q_imported": "Importeret historik",
        "q_live": "Modtaget live",
        "q_withheld": "Skjult nummer (i åbningstiden)",
        "q_no_agent": "Uden afslutning (lukket af pipelinens timeout)",
        "q_menu": "Lagt på i telefonmenuen",
        "q_short": "Lagt på inden for {seconds} s i køen",
        "q_agents": "Aftener med medarbejderhændelser",
        "missing_title": "Planlagte åbne aftener uden opkald",
        "missing_none": "Ingen: alle planlagte aftener har opkald.",
        "unscheduled": "Opkald i åbningstiden på datoer, kalenderen siger var lukket: {dates}.",
        "deadletters_title": "Afviste beskeder (dead letters) i Kafka",
        "deadletters_unavailable": "Ikke tilgængelig: {reason}.",
        "col_dl_topic": "Emne (topic)",
        "col_dl_total": "I alt på emnet",
        "col_dl_rejected": "Afvist i perioden",
        "col_dl_events": "Om hændelser i perioden",
        "col_dl_timeless": "Uden læsbar hændelsestid",
        "method_intro": (
            "Definitionerne er de gængse for kontaktcentre og de samme som på tavlen og i "
            "belastningsrapporten (docs/metrics.md):"
        ),
        "method_items": (
            "Opkald: opkald modtaget i åbningstiden (efter kalenderen, inkl. helligdage)."
            "|Serviceniveau: besvaret inden for {seconds} s efter indgang i køen / (besvaret + "
            "opgivet + forladt køen); opkald opgivet inden for {short} s og i telefonmenuen tæller "
            "ikke med."
            "|Ventetid: fra indgang i køen til besvarelse; tid i telefonmenuen er ikke ventetid."
            "|Opgivne opkald: opgivet i køen efter mindst {short} s / (besvaret + opgivet + "
            "forladt "
            "køen)."
            "|Unikke opkaldere: forskellige pseudonymiserede telefonnumre; skjulte numre tæller "
            "som opkald, ikke som opkaldere."
            "|Medarbejdertimer: logget-ind-tid; ved telefonerne = logget ind og ikke på pause."
            "|Erlang A: køteori med borgere, der lægger på, når tålmodigheden slipper op."
        ),
        "na": "–",
        "seconds": "{value} s",
        "per_week": "{value} pr. uge",
        "plot_months_calls": "opkald pr. åben aften",
        "plot_months_sl": "serviceniveau",
        "plot_months_title": "Opkald pr. aften og serviceniveau, måned for måned",
        "plot_munis_title": "Opkald pr. 1.000 borgere i perioden, med 95 %-interval",
        "plot_munis_average": "gennemsnit for de {n} kommuner",
        "plot_topics_title": "Andel af opkaldene pr. emne",
        "plot_when_title": "Opkald pr. åben aften pr. halve time",
        "plot_when_closed": "Opkald mens der var lukket, pr. time",
        "plot_hour": "time",
        "plot_service_agents": "medarbejdere",
        "plot_service_staffed": "ved telefonerne (målt)",
        "plot_service_needed": "nødvendige for målet (Erlang A)",
        "plot_service_observed": "serviceniveau (målt)",
        "plot_service_model": "forventet med de faktiske (Erlang A)",
        "plot_service_target": "mål",
        "plot_service_title": "Bemanding og serviceniveau pr. halve time i ugen",
        "plot_options_title": "Medarbejdertimer pr. uge for hver mulighed",
        "plot_options_team": "{team} medarbejdere × {hours} timer",
        "plot_forecast_title": "Opkald pr. uge: perioden og prognosen",
        "plot_forecast_history": "målt",
        "plot_forecast_model": "prognosemodel (test)",
        "plot_forecast_naive": "sidste uges tal (test)",
        "plot_forecast_future": "prognose",
        "plot_calls_week": "opkald pr. uge",
    },
    "en": {
        "title": "Pilot evaluation: the shared evening hotline",
        "subtitle": (
            "Hotline {phone}, open {hours}, for the citizens of {municipalities} municipalities "
            "({population} citizens), staffed by a cross-municipal team of {team}."
        ),
        "period": "Period: {first} to {last} ({evenings} open evenings with calls).",
        "generated": (
            "Generated {at} from the ClickHouse database {database}. Every figure comes from the "
            "database's views."
        ),
        "contents": "Contents",
        "s1": "1. Summary",
        "s2": "2. Service delivered and staffing",
        "s3": "3. Options for a permanent service",
        "s4": "4. Forecast for the first months",
        "s5": "5. Data quality",
        "s6": "Method and assumptions",
        "card_calls": "calls within opening hours",
        "card_callers": "unique callers",
        "card_sl": "service level (target: {target} answered within {seconds} s)",
        "card_wait": "average wait (answered calls)",
        "card_abandon": "abandoned calls",
        "card_evening": "calls per open evening",
        "card_closed": "calls while closed",
        "answers": "The answers in one sentence each",
        "q_growth": "Is demand growing?",
        "q_who": "Who calls?",
        "q_what": "About what?",
        "q_when": "When?",
        "growth_growing": (
            "Yes: calls per open evening grew by {growth} a year (95% confidence interval "
            "{low} to {high}), allowing for the weekday."
        ),
        "growth_falling": (
            "No, demand fell: {growth} a year (95% confidence interval {low} to {high}), "
            "allowing for the weekday."
        ),
        "growth_flat": (
            "Not measurably: the change was {growth} a year (95% confidence interval {low} to "
            "{high}), which is consistent with flat demand."
        ),
        "growth_none": (
            "Too early to tell: the range has fewer than eight weeks of evenings with calls."
        ),
        "growth_season": (
            "With one year of data a trend and a season (the summer holidays, say) cannot be "
            "told apart."
        ),
        "who_same": (
            "Citizens of the {n} municipalities call equally often per head: the differences are "
            "within what chance gives ({p}); on average {rate} calls per 1,000 citizens over "
            "the range."
        ),
        "who_differ": (
            "The municipalities differ by more than chance gives ({p}). More calls per citizen "
            "than the others: {higher}. Fewer: {lower}. Not distinguishable from the others: "
            "{same}."
        ),
        "who_none": "none",
        "who_callers_agree": (
            "Counting unique callers instead of calls gives the same verdict ({p})."
        ),
        "who_callers_disagree": (
            "Counting unique callers instead of calls changes the verdict ({p}): repeat calls "
            "from the same citizens drive the figures."
        ),
        "what": (
            "Most calls were about {first} ({first_share}) and {second} ({second_share}); {out} "
            "concerned case handling or the status of a case, which the hotline cannot help with."
        ),
        "when": (
            "Busiest on {weekday}s ({weekday_calls} calls an evening) and at {slot} "
            "({slot_calls} calls a half hour); {closed} calls ({closed_share}) came while closed."
        ),
        "months_title": "Month by month",
        "col_month": "Month",
        "col_evenings": "Open evenings",
        "col_calls": "Calls",
        "col_per_evening": "Per evening",
        "col_callers": "Unique callers",
        "col_sl": "Service level",
        "col_wait": "Average wait",
        "col_abandon": "Abandoned",
        "col_closed": "While closed",
        "col_total": "Whole range",
        "munis_title": "Calls per 1,000 citizens per municipality",
        "col_municipality": "Municipality",
        "col_population": "Citizens",
        "col_rate": "Calls per 1,000 citizens",
        "col_interval": "95% interval",
        "col_callers_rate": "Unique callers per 1,000",
        "col_versus": "Against the others",
        "higher": "more",
        "lower": "fewer",
        "same": "not different",
        "munis_note": (
            "Calls within opening hours with a postcode in one of the {n} municipalities "
            "({attributed} of {calls}); calls without a postcode, with an unknown one or from "
            "outside are left out, so the figures are on the low side. The interval is the exact "
            "Poisson (Garwood) interval; differences are tested with a chi-square test and exact "
            "two-rate tests with Holm's correction (5%)."
        ),
        "population_source": "Population {date}: {source}.",
        "topics_title": "What citizens call about",
        "col_topic": "Topic",
        "col_in_scope": "Within the hotline's remit",
        "col_share": "Share",
        "col_answered": "Answered",
        "yes": "yes",
        "no": "no",
        "when_title": "When citizens call",
        "col_weekday": "Weekday",
        "service_intro": (
            "The service level was {observed} on the evenings with agent events. With the agents "
            "who really were on the phones in each half hour, queueing theory (Erlang A) expects "
            "{model}."
        ),
        "service_agrees": (
            "So the service level was what the staffing allowed: in the busiest half hours "
            "{staffed} agents were on the phones where {needed} were needed to reach the target "
            "({target} within {seconds} s)."
        ),
        "service_worse": (
            "The service level was lower than the staffing should give: calls took longer, callers "
            "were less patient, or agents were logged in but not free."
        ),
        "service_better": (
            "The service level was higher than the model expects from that staffing: the model "
            "is cautious here."
        ),
        "service_no_agents": (
            "There are no agent events in the range, so how many agents were on the phones is "
            "not known; below is only what the model needs."
        ),
        "assumptions_title": "Assumptions",
        "col_input": "Input",
        "col_value": "Value",
        "col_source": "Source",
        "a_talk": "Talk time per answered call (mean)",
        "a_wrap": "Wrap-up (after-call work) per answered call",
        "a_shrink": "Shrinkage (paused share of logged-in time in opening hours)",
        "a_patience": "Callers' patience in the queue (mean)",
        "a_target": "Service-level target",
        "a_occupancy": "Highest occupancy",
        "a_evenings": "Evenings with agent events",
        "src_observed": "measured on the calls",
        "src_agent_events": "measured on the agent events",
        "src_assumed": "assumed (nothing measured); can be set",
        "src_given": "given for this run",
        "src_estimated": "estimated from waits and abandons",
        "src_erlang_c": "none (Erlang C: nobody hangs up)",
        "src_no_abandons": "no abandons: Erlang C",
        "src_rules": "business rule",
        "service_table_title": "Per half hour of the week",
        "col_slot": "Half hour",
        "col_calls_mean": "Calls (mean)",
        "col_logged_in": "Logged in",
        "col_staffed": "On the phones",
        "col_needed": "Needed (Erlang A)",
        "col_rostered": "With shrinkage",
        "col_model_sl": "Expected service level with the actual staff",
        "hours_line": (
            "The pilot used {pilot} agent-hours a week in opening hours (plus {overhead} before "
            "opening and after closing); the model needs {needed} to reach the target on an "
            "average week."
        ),
        "options_intro": (
            "Each option is staffed for the target ({target} within {seconds} s) on an average "
            "week and costed in agent-hours a week and hours per person of the {team}. The busy-"
            "week service level (each half hour at its 90th percentile) is with the same staff."
        ),
        "col_option": "Option",
        "col_open_hours": "Open hours a week",
        "col_queue_calls": "Calls in the queue a week",
        "col_agent_hours": "Agent-hours a week",
        "col_per_person": "Hours per person",
        "col_peak": "Most at once",
        "col_sl_mean": "Service level, average week",
        "col_sl_busy": "Service level, busy week",
        "col_hours_busy": "Hours for a busy week",
        "opt_pilot": "The pilot as it was staffed (measured)",
        "opt_today": "As today: {days} {hours}",
        "opt_shorter": "Shorter evenings: {days} {hours}",
        "opt_longer": "Longer evenings: {days} {hours}",
        "opt_without_calmest_day": "Four evenings: closed on {weekday}s (the calmest)",
        "opt_three_busiest_days": "Three evenings: {weekdays} (the busiest)",
        "opt_more_citizens": "More municipalities: +{population} citizens (same calls per citizen)",
        "opt_without_largest": "Without {name} ({population} citizens)",
        "opt_without_smallest": "Without {name} ({population} citizens)",
        "opt_growth": "Growth: {growth} more calls",
        "opt_trend_year": "The range's trend for a year ({growth})",
        "options_note": (
            "With shorter evenings and fewer days the callers are assumed to call at another open "
            "time (the same calls a week); new times take the load of the nearest open time. More "
            "or fewer municipalities scale with population. +{population} citizens is a size to "
            "think with, not a particular municipality. Hours are logged-in time in opening "
            "hours; holidays and sickness come on top."
        ),
        "within_team": "within the team",
        "over_team": "more than the team of {team}",
        "unserved_title": "Demand the hotline does not meet",
        "unserved_scope": (
            "{calls} calls ({per_week} a week) were about case handling or the status of a case; "
            "the {answered} answered took {hours} agent-hours ({hours_week} a week) of talk and "
            "wrap-up."
        ),
        "unserved_closed": (
            "{calls} calls ({per_week} a week) came while closed and heard the closed message."
        ),
        "breakeven_title": "When does the hotline pay for itself?",
        "breakeven_text": (
            "A moving registration handled at the counter costs up to {k} times the online one. A "
            "call after which the citizen completes the task online therefore saves (k − 1) · c. "
            "The hotline pays for itself when the share p of answered calls that end that way "
            "satisfies"
        ),
        "breakeven_inputs": "Inputs",
        "be_H": "agent-hours a week (as today, staffed for the target)",
        "be_N_moving": "answered calls about moving a week",
        "be_N_scope": "answered calls within the hotline's remit a week",
        "be_k": "how many times more a moving registration at the counter costs (up to)",
        "be_w": "cost of an agent-hour (the municipalities' own figure)",
        "be_c": "cost of one online task (the municipalities' own figure)",
        "be_unknown": "not known to the report",
        "breakeven_moving": "Counting moving registrations only (k = {k}):",
        "breakeven_scope": "Counting every answered call within the remit (k unknown):",
        "breakeven_given": "With the costs given: p* = {share}.",
        "breakeven_note": (
            "The report invents neither w, c nor p: the municipalities put in their own figures. "
            "A p* above 100% means the calls alone cannot carry the cost."
        ),
        "forecast_better": (
            "The forecast model is better: on the {weeks} held-back weeks it was off by {model} "
            "calls per half hour on average against {naive} for last week's figure, {change} "
            "less error."
        ),
        "forecast_worse": (
            "Last week's figure is better: on the {weeks} held-back weeks it was off by {naive} "
            "calls per half hour on average against {model} for the forecast model."
        ),
        "forecast_no_backtest": (
            "No test on held-back weeks: holding back {held} weeks needs at least {need} weeks "
            "with data, and the period has {have}."
        ),
        "backtest_title": "Test on held-back weeks ({first} to {last})",
        "col_method": "Method",
        "col_mae": "Mean error per half hour",
        "col_rmse": "RMSE per half hour",
        "col_weekly_mae": "Mean error of the week's total",
        "col_bias": "Bias",
        "m_model": "Forecast model (level, trend, holidays)",
        "m_naive": "Last week's figure (same half hour)",
        "forecast_title": "Forecast from {start}",
        "col_week": "Week (Monday)",
        "col_closed_days": "Closed",
        "col_peak_calls": "Busiest half hour",
        "col_peak_agents": "Most at once",
        "forecast_note": (
            "Level: the mean of the last {evenings} open evenings of the same weekday for each "
            "half hour; trend: the range's growth ({growth} a year); holidays closed by the "
            "calendar. After {ends} the pilot's hours are assumed to continue, closed on public "
            "holidays. A yearly season (summer, Christmas) cannot be estimated from one year."
        ),
        "forecast_note_short": (
            "Level: the mean of the last {evenings} open evenings of the same weekday for each "
            "half hour; trend: the range's growth ({growth} a year); holidays closed by the "
            "calendar. A yearly season (summer, Christmas) cannot be estimated from one year."
        ),
        "no_trend": "none, the range is too short",
        "quality_intro": (
            "{calls} calls in all in the range, {within} of them within opening hours. {missing} "
            "of {scheduled} scheduled open evenings have no calls in the database."
        ),
        "col_measure": "What",
        "col_count": "Count",
        "q_no_postcode": "No postcode",
        "q_unknown_postcode": "Unknown postcode",
        "q_outside": "Postcode outside the {n} municipalities",
        "q_catchment": "Postcode in the {n} municipalities",
        "q_imported": "Imported history",
        "q_live": "Received live",
        "q_withheld": "Withheld number (within opening hours)",
        "q_no_agent": "Never ended (closed by the pipeline's time-out)",
        "q_menu": "Hung up in the phone menu",
        "q_short": "Hung up within {seconds} s in the queue",
        "q_agents": "Evenings with agent events",
        "missing_title": "Scheduled open evenings without calls",
        "missing_none": "None: every scheduled evening has calls.",
        "unscheduled": (
            "Calls within opening hours on dates the calendar says were closed: {dates}."
        ),
        "deadletters_title": "Rejected messages (dead letters) in Kafka",
        "deadletters_unavailable": "Not available: {reason}.",
        "col_dl_topic": "Topic",
        "col_dl_total": "On the topic",
        "col_dl_rejected": "Rejected in the range",
        "col_dl_events": "About events in the range",
        "col_dl_timeless": "No readable event time",
        "method_intro": (
            "The definitions are the standard contact-centre ones, the same as the board's and "
            "the load report's (docs/metrics.md):"
        ),
        "method_items": (
            "Calls: calls offered within the opening hours (by the calendar, holidays included)."
            "|Service level: answered within {seconds} s of queue entry / (answered + abandoned + "
            "left the queue); hang-ups within {short} s in the queue and in the phone menu count "
            "in no ratio."
            "|Wait: from queue entry to answer; time in the phone menu is not waiting."
            "|Abandoned: gave up in the queue after at least {short} s / (answered + abandoned + "
            "left the queue)."
            "|Unique callers: distinct pseudonymised numbers; a withheld number is a call, never "
            "a caller."
            "|Agent-hours: logged-in time; on the phones = logged in and not paused."
            "|Erlang A: queueing theory with callers who hang up when their patience runs out."
        ),
        "na": "–",
        "seconds": "{value} s",
        "per_week": "{value} a week",
        "plot_months_calls": "calls per open evening",
        "plot_months_sl": "service level",
        "plot_months_title": "Calls per evening and service level, month by month",
        "plot_munis_title": "Calls per 1,000 citizens over the range, with 95% interval",
        "plot_munis_average": "the {n} municipalities together",
        "plot_topics_title": "Share of calls per topic",
        "plot_when_title": "Calls per open evening per half hour",
        "plot_when_closed": "Calls while closed, per hour",
        "plot_hour": "hour",
        "plot_service_agents": "agents",
        "plot_service_staffed": "on the phones (measured)",
        "plot_service_needed": "needed for the target (Erlang A)",
        "plot_service_observed": "service level (measured)",
        "plot_service_model": "expected with the actual staff (Erlang A)",
        "plot_service_target": "target",
        "plot_service_title": "Staffing and service level per half hour of the week",
        "plot_options_title": "Agent-hours a week for each option",
        "plot_options_team": "{team} people × {hours} hours",
        "plot_forecast_title": "Calls per week: the range and the forecast",
        "plot_forecast_history": "measured",
        "plot_forecast_model": "forecast model (test)",
        "plot_forecast_naive": "last week's figure (test)",
        "plot_forecast_future": "forecast",
        "plot_calls_week": "calls a week",
    },
}


class Words:
    """Texts and number formats of one language."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGS:
            raise ValueError(f"language must be one of {', '.join(LANGS)}, got {lang!r}")
        self.lang = lang
        self._text = TEXT[lang]

    def t(self, key: str, **values: object) -> str:
        return self._text[key].format(**values)

    def _group(self, text: str) -> str:
        # Python formats with "," thousands and "." decimals; Danish is the other way round.
        if self.lang == "da":
            return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text

    def count(self, value: float | None) -> str:
        if value is None:
            return self._text["na"]
        return self._group(f"{round(value):,}")

    def num(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return self._text["na"]
        return self._group(f"{value:,.{digits}f}")

    def pct(self, value: float | None, digits: int = 0, signed: bool = False) -> str:
        if value is None:
            return self._text["na"]
        sign = "+" if signed and value > 0 else ""
        text = self._group(f"{sign}{value * 100:.{digits}f}")
        # Danish sets a space before the percent sign; English does not.
        return f"{text} %" if self.lang == "da" else f"{text}%"

    def p(self, value: float) -> str:
        """A p-value as the text says it: "p = 0,850", or "p < 0,001" when tiny."""
        if value < 0.001:
            return "p < " + self._group("0.001")
        return "p = " + self._group(f"{value:.3f}")

    def secs(self, value: float | None) -> str:
        if value is None:
            return self._text["na"]
        return self.t("seconds", value=self.num(value, 0))

    def day(self, day: date) -> str:
        month = _MONTHS_SHORT[self.lang][day.month - 1]
        if self.lang == "da":
            return f"{day.day}. {month} {day.year}"
        return f"{day.day} {month} {day.year}"

    def month(self, day: date) -> str:
        return f"{_MONTHS[self.lang][day.month - 1]} {day.year}"

    def month_short(self, day: date) -> str:
        return f"{_MONTHS_SHORT[self.lang][day.month - 1]} {str(day.year)[2:]}"

    def weekday(self, index: int) -> str:
        return _WEEKDAYS[self.lang][index]

    def weekday_short(self, index: int) -> str:
        return _WEEKDAYS_SHORT[self.lang][index]
