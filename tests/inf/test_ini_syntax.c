/* test_ini_syntax.c: the INI/INF reader against the WDK's general INF syntax
 * rules (general-syntax-rules-for-inf-files.md, inf-strings-section.md): one
 * test per documented rule, plus the encodings and limits. */
#include "test_util.h"

static const bk_ini_line_t *line_of(const bk_ini_t *ini, const char *sec, size_t i)
{
    const bk_ini_section_t *s = bk_ini_find_section(ini, sec);
    return s && i < s->nlines ? &s->lines[i] : NULL;
}

TEST(comment_starts_at_semicolon_outside_quotes)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("[S]\nkey = value ; comment, with, commas\n; whole line\n", NULL, &d);
    REQUIRE(ini);
    const bk_ini_line_t *l = line_of(ini, "S", 0);
    REQUIRE(l);
    CHECK_EQ(bk_ini_find_section(ini, "S")->nlines, 1);
    CHECK_STR(l->key, "key");
    CHECK_EQ(l->nfields, 1);
    CHECK_STR(l->fields[0], "value");
    CHECK_EQ(d.count, 0);
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(semicolon_inside_quotes_is_text)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("[S]\nHKR,,Security,,\"D:P(A;;GA;;;AU)\" ; comment\n", NULL, &d);
    REQUIRE(ini);
    const bk_ini_line_t *l = line_of(ini, "S", 0);
    REQUIRE(l);
    CHECK(l->key == NULL);
    CHECK_EQ(l->nfields, 5);
    CHECK_STR(l->fields[4], "D:P(A;;GA;;;AU)");
    CHECK_EQ(l->quoted[4], 1);
    CHECK_EQ(l->quoted[0], 0);
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(doubled_quote_inside_quotes_is_one_quote)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("[S]\nk = \"Display an \"\"example\"\" string\"\n"
                              "k2 = \"\"\"some string\"\"\"\n",
                              NULL, &d);
    REQUIRE(ini);
    CHECK_STR(line_of(ini, "S", 0)->fields[0], "Display an \"example\" string");
    CHECK_STR(line_of(ini, "S", 1)->fields[0], "\"some string\"");
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(quoted_string_keeps_leading_and_trailing_spaces)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("[S]\nk =   \"  padded  \"   \nu =   bare words   \n", NULL, &d);
    REQUIRE(ini);
    CHECK_STR(line_of(ini, "S", 0)->fields[0], "  padded  ");
    CHECK_STR(line_of(ini, "S", 1)->fields[0], "bare words");
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(omitted_middle_fields_keep_their_commas)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("[SourceDisksFiles]\nfile.sys = 1,,1234\nother.sys = 1\n", NULL, &d);
    REQUIRE(ini);
    const bk_ini_line_t *l = line_of(ini, "SourceDisksFiles", 0);
    REQUIRE(l);
    CHECK_EQ(l->nfields, 3);
    CHECK_STR(l->fields[0], "1");
    CHECK_STR(l->fields[1], "");
    CHECK_STR(l->fields[2], "1234");
    l = line_of(ini, "SourceDisksFiles", 1);
    CHECK_EQ(l->nfields, 1);
    CHECK_STR(bk_ini_field(l, 2), ""); /* trailing fields may be dropped */
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(trailing_backslash_continues_the_entry)
{
    bk_diags_t d = {0};
    /* docs: CopyFiles = "SomeDirectory\"\ ; comment  +  ,SomeFile */
    bk_ini_t *ini = load_text("[S]\nCopyFiles = \"SomeDirectory\\\"\\ ; comment\n,SomeFile\n"
                              "next = 1\n",
                              NULL, &d);
    REQUIRE(ini);
    const bk_ini_line_t *l = line_of(ini, "S", 0);
    REQUIRE(l);
    CHECK_EQ(l->line, 2);
    CHECK_EQ(l->nfields, 2);
    CHECK_STR(l->fields[0], "SomeDirectory\\");
    CHECK_STR(l->fields[1], "SomeFile");
    CHECK_EQ(line_of(ini, "S", 1)->line, 4);
    CHECK_EQ(d.count, 0);
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(continuation_at_end_of_file_is_an_error_on_its_line)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("[S]\na = 1\nb = 2, \\", NULL, &d);
    REQUIRE(ini);
    CHECK(find_diag(&d, BK_SEV_ERROR, 3, "continuation"));
    CHECK_EQ(d.errors, 1);
    CHECK_STR(line_of(ini, "S", 1)->key, "b"); /* the entry is kept */
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(percent_percent_is_a_literal_percent)
{
    bk_diags_t d = {0};
    bk_ini_t *ini =
        load_text("[S]\nHKR,,EventMessageFile,0x00020000,\"%%SystemRoot%%\\x.dll\"\n", NULL, &d);
    REQUIRE(ini);
    CHECK_STR(line_of(ini, "S", 0)->fields[4], "%SystemRoot%\\x.dll");
    CHECK_STR(line_of(ini, "S", 0)->raw_fields[4], "%%SystemRoot%%\\x.dll");
    CHECK_EQ(d.count, 0);
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(strkey_is_replaced_from_strings_case_insensitively)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("[Manufacturer]\n%MFG% = Models\n[Models]\n"
                              "%desc% = Inst, \"%Prefix%\\Dev\"\n"
                              "[Strings]\nmfg = \"Contoso, Ltd.\"\nDesc = Widget\nPREFIX = ROOT\n",
                              NULL, &d);
    REQUIRE(ini);
    const bk_ini_line_t *m = line_of(ini, "Manufacturer", 0);
    CHECK_STR(m->key, "Contoso, Ltd.");
    CHECK_STR(m->key_raw, "%MFG%");
    const bk_ini_line_t *l = line_of(ini, "Models", 0);
    CHECK_STR(l->key, "Widget");
    CHECK_STR(l->fields[1], "ROOT\\Dev");
    CHECK_EQ(d.count, 0);
    CHECK_STR(bk_ini_string(ini, "MfG"), "Contoso, Ltd.");
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(undefined_strkey_is_an_error_and_kept)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("[S]\n\nk = %Nope%\n[Strings]\nyes = 1\n", NULL, &d);
    REQUIRE(ini);
    CHECK(find_diag(&d, BK_SEV_ERROR, 3, "undefined string %Nope%"));
    CHECK_STR(line_of(ini, "S", 0)->fields[0], "%Nope%");
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(numeric_tokens_are_dirids_not_strings)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("[Svc]\nServiceBinary = %12%\\x.sys\n", NULL, &d);
    REQUIRE(ini);
    CHECK_STR(line_of(ini, "Svc", 0)->fields[0], "%12%\\x.sys");
    CHECK_EQ(d.count, 0);
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(semicolon_inside_strkey_token_is_not_a_comment)
{
    bk_diags_t d = {0};
    bk_ini_t *ini =
        load_text("[S]\nk = %a;b%, x ; comment\n[Strings]\n\"a;b\" = joined\n", NULL, &d);
    REQUIRE(ini);
    const bk_ini_line_t *l = line_of(ini, "S", 0);
    CHECK_EQ(l->nfields, 2);
    CHECK_STR(l->fields[0], "joined");
    CHECK_STR(l->fields[1], "x");
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(lone_percent_is_a_warning)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("[S]\nk = 100%\n", NULL, &d);
    REQUIRE(ini);
    CHECK(find_diag(&d, BK_SEV_WARNING, 2, "lone '%'"));
    CHECK_STR(line_of(ini, "S", 0)->fields[0], "100%");
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(section_and_key_names_are_case_insensitive)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("[VERSION]\nsIgNaTuRe = x\n", NULL, &d);
    REQUIRE(ini);
    const bk_ini_section_t *s = bk_ini_find_section(ini, "version");
    REQUIRE(s);
    CHECK_STR(s->name, "VERSION");
    CHECK(bk_ini_find_key(s, "Signature") != NULL);
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(duplicate_sections_are_merged_in_order)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("[A]\nx = 1\n[B]\ny = 2\n[a]\nz = 3\n", NULL, &d);
    REQUIRE(ini);
    CHECK_EQ(bk_ini_section_count(ini), 2);
    const bk_ini_section_t *a = bk_ini_find_section(ini, "A");
    REQUIRE(a);
    CHECK_EQ(a->nlines, 2);
    CHECK_EQ(a->declarations, 2);
    CHECK_EQ(a->line, 1);
    CHECK_EQ(a->dup_line, 5);
    CHECK_STR(a->lines[1].key, "z");
    CHECK_EQ(a->lines[1].line, 6);
    CHECK_EQ(d.count, 0);
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(quoted_section_name_keeps_its_characters)
{
    bk_diags_t d = {0};
    /* docs: [;; Std Mfg ] is referenced as ";; Std Mfg " */
    bk_ini_t *ini =
        load_text("[Manufacturer]\nx = \";; Std Mfg \"\n[;; Std Mfg ]\nk = v\n", NULL, &d);
    REQUIRE(ini);
    const char *ref = line_of(ini, "Manufacturer", 0)->fields[0];
    CHECK_STR(ref, ";; Std Mfg ");
    CHECK(bk_ini_find_section(ini, ref) != NULL);
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(field_longer_than_4095_characters_is_an_error)
{
    bk_diags_t d = {0};
    size_t n = 5000;
    char *text = malloc(n + 4096 + 64);
    REQUIRE(text);
    strcpy(text, "[S]\nk = ");
    size_t off = strlen(text);
    memset(text + off, 'x', n);
    strcpy(text + off + n, "\nok = ");
    memset(text + off + n + 6, 'y', 4095);
    text[off + n + 6 + 4095] = '\n';
    text[off + n + 6 + 4096] = '\0';
    bk_ini_t *ini = load_text(text, NULL, &d);
    REQUIRE(ini);
    CHECK(find_diag(&d, BK_SEV_ERROR, 2, "longer than the limit of 4095"));
    CHECK_EQ(strlen(line_of(ini, "S", 0)->fields[0]), 4095);
    CHECK_EQ(strlen(line_of(ini, "S", 1)->fields[0]), 4095);
    CHECK_EQ(d.errors, 1); /* exactly 4095 is allowed */
    bk_ini_free(ini);
    free(text);
    bk_diags_free(&d);
}

TEST(field_longer_than_4095_after_substitution_is_an_error)
{
    bk_diags_t d = {0};
    char *text = malloc(8000);
    REQUIRE(text);
    int n = sprintf(text, "[S]\nk = %%A%%%%A%%\n[Strings]\nA = \"");
    memset(text + n, 'a', 3000);
    strcpy(text + n + 3000, "\"\n");
    bk_ini_t *ini = load_text(text, NULL, &d);
    REQUIRE(ini);
    CHECK(find_diag(&d, BK_SEV_ERROR, 2, "after string substitution"));
    CHECK_EQ(strlen(line_of(ini, "S", 0)->fields[0]), 4095);
    bk_ini_free(ini);
    free(text);
    bk_diags_free(&d);
}

TEST(section_name_longer_than_255_characters_is_an_error)
{
    bk_diags_t d = {0};
    char text[400] = "\n[";
    memset(text + 2, 's', 256);
    strcpy(text + 258, "]\nk = v\n");
    bk_ini_t *ini = load_text(text, NULL, &d);
    REQUIRE(ini);
    CHECK(find_diag(&d, BK_SEV_ERROR, 2, "longer than the limit of 255"));
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(header_without_closing_bracket_is_an_error)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("[Good]\na = 1\n[Bad ; oops\nb = 2\n", NULL, &d);
    REQUIRE(ini);
    CHECK(find_diag(&d, BK_SEV_ERROR, 3, "no closing ']'"));
    CHECK(bk_ini_find_section(ini, "Bad") != NULL);
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(text_before_the_first_section_is_a_warning)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("; comment\nstray = 1\nmore\n[S]\n", NULL, &d);
    REQUIRE(ini);
    CHECK(find_diag(&d, BK_SEV_WARNING, 2, "before the first [section]"));
    CHECK_EQ(d.count, 1);
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(unterminated_quote_is_a_warning_and_ends_at_line_end)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("[S]\nk = \"open, still ; open\nn = 2\n", NULL, &d);
    REQUIRE(ini);
    CHECK(find_diag(&d, BK_SEV_WARNING, 2, "not closed"));
    CHECK_STR(line_of(ini, "S", 0)->fields[0], "open, still ; open");
    CHECK_STR(line_of(ini, "S", 1)->key, "n");
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(every_entry_keeps_its_file_and_line_across_line_ends)
{
    bk_diags_t d = {0};
    /* LF, CRLF and lone CR line ends count the same. */
    bk_ini_t *ini = load_text("[S]\r\na = 1\r\n\r\nb = 2\rc = 3\n", NULL, &d);
    REQUIRE(ini);
    const bk_ini_section_t *s = bk_ini_find_section(ini, "S");
    REQUIRE(s && s->nlines == 3);
    CHECK_EQ(s->lines[0].line, 2);
    CHECK_EQ(s->lines[1].line, 4);
    CHECK_EQ(s->lines[2].line, 5);
    CHECK_STR(s->lines[2].file, "t.inf");
    CHECK_STR(s->lines[1].fields[0], "2");
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(utf16le_with_bom_is_read)
{
    const char *text = "[S]\nk = \"caf\xc3\xa9\"\n";
    unsigned char buf[128];
    size_t n = 0;
    buf[n++] = 0xFF;
    buf[n++] = 0xFE;
    for (const char *p = text; *p; p++) {
        unsigned c = (unsigned char)*p;
        if (c == 0xc3) { /* é is U+00E9 */
            buf[n++] = 0xE9;
            buf[n++] = 0;
            p++;
            continue;
        }
        buf[n++] = (unsigned char)c;
        buf[n++] = 0;
    }
    bk_diags_t d = {0};
    bk_ini_options_t o = {.substitute = true};
    bk_ini_t *ini = bk_ini_load_buffer("u16.inf", buf, n, &o, &d);
    REQUIRE(ini);
    CHECK_STR(line_of(ini, "S", 0)->fields[0], "caf\xc3\xa9");
    CHECK_EQ(d.count, 0);
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(utf8_bom_is_skipped)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("\xEF\xBB\xBF[S]\nk = v\n", NULL, &d);
    REQUIRE(ini);
    CHECK(bk_ini_find_section(ini, "S") != NULL);
    CHECK_EQ(d.count, 0);
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(eight_bit_ansi_is_read_as_latin1_with_a_warning)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("[S]\nk = Gr\xF6\xDF"
                              "e\n",
                              NULL, &d);
    REQUIRE(ini);
    CHECK_STR(line_of(ini, "S", 0)->fields[0], "Gr\xC3\xB6\xC3\x9F"
                                               "e");
    CHECK(find_diag(&d, BK_SEV_WARNING, 1, "Latin-1"));
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(binary_data_is_refused_with_its_line)
{
    bk_diags_t d = {0};
    const char data[] = "[S]\nk = v\nx\x01y\n";
    bk_ini_t *ini = bk_ini_load_buffer("bin.inf", data, sizeof(data) - 1, NULL, &d);
    CHECK(ini == NULL);
    CHECK(find_diag(&d, BK_SEV_ERROR, 3, "binary data"));
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(ctrl_z_ends_the_file)
{
    bk_diags_t d = {0};
    const char data[] = "[S]\nk = v\n\x1A\x01garbage";
    bk_ini_t *ini = bk_ini_load_buffer("z.inf", data, sizeof(data) - 1, NULL, &d);
    REQUIRE(ini);
    CHECK_EQ(d.count, 0);
    bk_ini_free(ini);
    bk_diags_free(&d);
}

static const char localized[] = "[S]\nk = %Desc%\n"
                                "[Strings]\nDesc = English\nOnly = base\n"
                                "[Strings.0407]\nDesc = Deutsch\n"
                                "[Strings.0009]\nDesc = English neutral\n"
                                "[Strings.0809]\nDesc = British\n";

static const char *desc_for(const char *locale, bk_diags_t *d)
{
    static char out[64];
    bk_ini_t *ini = load_text(localized, locale, d);
    if (!ini)
        return "(refused)";
    snprintf(out, sizeof(out), "%s", line_of(ini, "S", 0)->fields[0]);
    bk_ini_free(ini);
    return out;
}

TEST(locale_chooses_strings_section_as_windows_does)
{
    bk_diags_t d = {0};
    CHECK_STR(desc_for(NULL, &d), "English");           /* no locale: [Strings] only */
    CHECK_STR(desc_for("0407", &d), "Deutsch");         /* exact */
    CHECK_STR(desc_for("0x0807", &d), "Deutsch");       /* same primary language */
    CHECK_STR(desc_for("0409", &d), "English neutral"); /* SUBLANG_NEUTRAL first */
    CHECK_STR(desc_for("0809", &d), "British");
    CHECK_STR(desc_for("040C", &d), "English"); /* French: none, so [Strings] */
    CHECK_EQ(d.count, 0);
    bk_diags_free(&d);
}

TEST(string_missing_from_locale_section_falls_back_with_a_warning)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text(
        "[S]\n\n\nk = %Only%\n[Strings]\nOnly = base\n[Strings.0407]\nX = y\n", "0407", &d);
    REQUIRE(ini);
    CHECK_STR(line_of(ini, "S", 0)->fields[0], "base");
    CHECK(find_diag(&d, BK_SEV_WARNING, 4, "not in [Strings.0407]"));
    CHECK_STR(bk_ini_strings_section(ini), "Strings.0407");
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(duplicate_string_key_is_a_warning_and_the_first_wins)
{
    bk_diags_t d = {0};
    bk_ini_t *ini = load_text("[S]\nk = %A%\n[Strings]\nA = first\nA = second\n", NULL, &d);
    REQUIRE(ini);
    CHECK_STR(line_of(ini, "S", 0)->fields[0], "first");
    CHECK(find_diag(&d, BK_SEV_WARNING, 5, "defined again (first at line 4)"));
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(machine_mode_leaves_percent_alone)
{
    bk_diags_t d = {0};
    bk_ini_options_t o = {.substitute = false};
    const char text[] = "[S]\nk = 100% of %x%\n";
    bk_ini_t *ini = bk_ini_load_buffer("m.ini", text, sizeof(text) - 1, &o, &d);
    REQUIRE(ini);
    CHECK_STR(line_of(ini, "S", 0)->value, "100% of %x%");
    CHECK_EQ(d.count, 0);
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(corpus_quoted_strings_values_are_as_documented)
{
    bk_diags_t d = {0};
    bk_ini_options_t o = {.substitute = true};
    bk_ini_t *ini = bk_ini_load_file(BK_INF_CORPUS_DIR "/quoted_strings.inf", &o, &d);
    REQUIRE(ini);
    CHECK_EQ(d.count, 0);
    const bk_ini_section_t *reg = bk_ini_find_section(ini, "batt_addreg");
    REQUIRE(reg && reg->nlines == 5);
    CHECK_STR(reg->lines[0].fields[4], "a ; b");
    CHECK_STR(reg->lines[1].fields[4], "Say \"hello\"");
    CHECK_STR(reg->lines[2].fields[4], "%SystemRoot%\\System32\\IoLogMsg.dll");
    CHECK_STR(reg->lines[3].fields[4], "");
    CHECK_EQ(reg->lines[3].quoted[4], 1);
    CHECK_STR(reg->lines[4].fields[1], "Sub\\Key");
    const bk_ini_line_t *svc = &bk_ini_find_section(ini, "Batt_Inst.NT.Services")->lines[0];
    CHECK_EQ(svc->nfields, 3);
    CHECK_STR(svc->fields[1], "0x00000002");
    CHECK_STR(svc->fields[2], "Batt_Service");
    /* [Strings] and [strings] are one section. */
    CHECK_STR(bk_ini_string(ini, "Batt.Desc"), "Battery \"Corpus\" Edition");
    CHECK_STR(bk_ini_string(ini, "Batt.SvcDesc"), "  spaces kept  ");
    CHECK_STR(bk_ini_string(ini, "Provider"), "battkit; quoted");
    const bk_ini_line_t *cf = &bk_ini_find_section(ini, "batt_inst.nt")->lines[1];
    CHECK_STR(cf->fields[0], "@battc.sys");
    bk_ini_free(ini);
    bk_diags_free(&d);
}

TEST(diagnostics_stop_growing_at_the_limit_but_keep_counting)
{
    bk_diags_t d = {0};
    d.limit = 3;
    for (int i = 0; i < 10; i++)
        bk_diags_add(&d, "f", i + 1, BK_SEV_ERROR, "e%d", i);
    CHECK_EQ(d.count, 3);
    CHECK_EQ(d.errors, 10);
    CHECK_EQ(d.dropped, 7);
    char buf[64];
    bk_diag_format(&d.items[2], buf, sizeof(buf));
    CHECK_STR(buf, "f:3: error: e2");
    bk_diags_free(&d);
}
