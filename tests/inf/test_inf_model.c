/* test_inf_model.c: the INF as a driver package: TargetOSVersion decorations
 * and the models section Windows picks (inf-manufacturer-section.md), install
 * section variants (inf-ddinstall-section.md), CopyFiles/AddReg/AddService
 * resolution with Include/Needs, and the identifier score (Identifier Score). */
#include "test_util.h"

static bk_inf_t *open_corpus(const char *name, const bk_inf_options_t *opt, bk_diags_t *d)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", BK_INF_CORPUS_DIR, name);
    return bk_inf_open(path, opt, d);
}

static bk_inf_t *open_text(const char *text, const bk_inf_options_t *opt, bk_diags_t *d)
{
    return bk_inf_open_buffer("mem.inf", text, strlen(text), opt, d);
}

TEST(decoration_parses_every_documented_part)
{
    bk_inf_decoration_t dec;
    CHECK_EQ(bk_inf_parse_decoration("NTamd64.10.0...14393", &dec), 0);
    CHECK_STR(dec.arch, "amd64");
    CHECK_EQ(dec.major, 10);
    CHECK_EQ(dec.minor, 0);
    CHECK_EQ(dec.product_type, -1);
    CHECK_EQ(dec.suite_mask, -1);
    CHECK_EQ(dec.build, 14393);
    CHECK_EQ(bk_inf_parse_decoration("NTx86....0x80", &dec), 0);
    CHECK_EQ(dec.suite_mask, 0x80);
    CHECK_EQ(dec.major, -1);
    CHECK_EQ(bk_inf_parse_decoration("nt", &dec), 0);
    CHECK_STR(dec.arch, "");
    CHECK_EQ(bk_inf_parse_decoration("NT.7.8", &dec), 0);
    CHECK_EQ(dec.minor, 8);
    CHECK_EQ(bk_inf_parse_decoration("NT$ARCH$", &dec), -1); /* unexpanded .inx */
    CHECK_EQ(bk_inf_parse_decoration("NTmips", &dec), -1);
    CHECK_EQ(bk_inf_parse_decoration("Win2000", &dec), -1);
    CHECK_EQ(bk_inf_parse_decoration("NTamd64.1.2.3.4.5.6", &dec), -1);
}

TEST(decoration_choice_is_highest_version_not_above_the_os)
{
    const char *decs[] = {"NTamd64", "NTamd64.6.1", "NTamd64.10.0", "NTamd64.11.0"};
    bk_inf_platform_t win10 = {.arch = "amd64", .major = 10, .minor = 0, .build = 19045};
    bk_inf_platform_t win7 = {.arch = "amd64", .major = 6, .minor = 1, .build = 7601};
    bk_inf_platform_t vista = {.arch = "amd64", .major = 6, .minor = 0, .build = 6002};
    CHECK_EQ(bk_inf_choose_decoration(decs, 4, &win10), 2);
    CHECK_EQ(bk_inf_choose_decoration(decs, 4, &win7), 1);
    CHECK_EQ(bk_inf_choose_decoration(decs, 4, &vista), 0);
}

TEST(decoration_build_number_counts_only_for_the_same_version)
{
    /* docs: evaluated only when major.minor match the OS exactly. */
    const char *decs[] = {"NTamd64.10.0", "NTamd64.10.0...16299"};
    bk_inf_platform_t old = {.arch = "amd64", .major = 10, .minor = 0, .build = 15063};
    bk_inf_platform_t now = {.arch = "amd64", .major = 10, .minor = 0, .build = 22631};
    bk_inf_platform_t next = {.arch = "amd64", .major = 10, .minor = 1, .build = 100};
    CHECK_EQ(bk_inf_choose_decoration(decs, 2, &old), 0);
    CHECK_EQ(bk_inf_choose_decoration(decs, 2, &now), 1);
    CHECK_EQ(bk_inf_choose_decoration(decs, 2, &next), 1);
}

TEST(decoration_needs_the_architecture_off_x86)
{
    const char *decs[] = {"NT", "NTx86", "NTarm64"};
    bk_inf_platform_t amd64 = {.arch = "amd64"};
    bk_inf_platform_t x86 = {.arch = "x86"};
    bk_inf_platform_t arm64 = {.arch = "arm64"};
    CHECK_EQ(bk_inf_choose_decoration(decs, 3, &amd64), -1);
    CHECK_EQ(bk_inf_choose_decoration(decs, 3, &x86), 1); /* arch given beats arch-less */
    CHECK_EQ(bk_inf_choose_decoration(decs, 3, &arm64), 2);
}

TEST(decoration_version_beats_product_type_and_suite)
{
    /* docs example: on XP (5.1) without Datacenter, NT, NT.5, NT.5.5, NT....0x80
     * picks NT.5; with Datacenter still NT.5. */
    const char *decs[] = {"NT", "NT.5", "NT.5.5", "NT....0x80"};
    bk_inf_platform_t xp = {.arch = "x86", .major = 5, .minor = 1, .build = 2600};
    bk_inf_platform_t xp_dc = {
        .arch = "x86", .major = 5, .minor = 1, .build = 2600, .suite_mask = 0x80};
    CHECK_EQ(bk_inf_choose_decoration(decs, 4, &xp), 1);
    CHECK_EQ(bk_inf_choose_decoration(decs, 4, &xp_dc), 1);
    const char *same[] = {"NTx86.6.0", "NTx86.6.0.3", "NTx86.6.0.1"};
    bk_inf_platform_t server = {.arch = "x86", .major = 6, .minor = 0, .product_type = 3};
    CHECK_EQ(bk_inf_choose_decoration(same, 3, &server), 1); /* product type matches */
}

TEST(simbatt_corpus_models_section_follows_the_os_build)
{
    bk_diags_t d = {0};
    bk_inf_options_t now = {0};
    bk_inf_options_t old = {.platform = {.arch = "amd64", .major = 10, .build = 15063}};
    bk_inf_options_t x86 = {.platform = {.arch = "x86"}};
    bk_inf_t *inf = open_corpus("simbatt.inf", &now, &d);
    REQUIRE(inf);
    const bk_inf_manufacturer_t *m = bk_inf_manufacturer_at(inf, 0);
    REQUIRE(m);
    CHECK_STR(m->models_name, "Standard.NTamd64.10.0...16299");
    REQUIRE(m->nmodels == 1);
    CHECK_STR(m->model[0].description, "Simulated Battery");
    CHECK_STR(m->model[0].hardware_id, "{6B34C467-CE1F-4c0d-A3E4-F98A5718A9D6}\\SimBatt");
    CHECK_EQ(m->model[0].line->line, 32);
    bk_inf_close(inf);
    inf = open_corpus("simbatt.inf", &old, &d);
    REQUIRE(inf);
    CHECK_STR(bk_inf_manufacturer_at(inf, 0)->models_name, "Standard.NTamd64");
    bk_inf_close(inf);
    inf = open_corpus("simbatt.inf", &x86, &d);
    REQUIRE(inf);
    CHECK_STR(bk_inf_manufacturer_at(inf, 0)->models_name, "Standard.NTx86");
    bk_inf_close(inf);
    CHECK_EQ(d.count, 0);
    bk_diags_free(&d);
}

TEST(version_section_values_and_lines)
{
    bk_diags_t d = {0};
    bk_inf_t *inf = open_corpus("battery.inf", NULL, &d);
    REQUIRE(inf);
    const bk_inf_version_t *v = bk_inf_version(inf);
    CHECK_STR(v->signature.value, "$WINDOWS NT$");
    CHECK_EQ(v->signature.line, 8);
    CHECK_STR(v->class_name.value, "Battery");
    CHECK_STR(v->class_guid.value, "{72631e54-78a4-11d0-bcf7-00aa00b7b32a}");
    CHECK_STR(v->provider.value, "battkit");
    CHECK_STR(v->driver_ver.value, "06/21/2024");
    CHECK_STR(v->driver_version, "10.0.22621.1");
    bk_inf_close(inf);
    bk_diags_free(&d);
}

TEST(manufacturer_name_alone_names_its_models_section)
{
    bk_diags_t d = {0};
    bk_inf_options_t x86 = {.platform = {.arch = "x86"}};
    bk_inf_t *inf =
        open_text("[Manufacturer]\nContoso\n[Contoso]\nWidget = Inst, ROOT\\W\n", &x86, &d);
    REQUIRE(inf);
    const bk_inf_manufacturer_t *m = bk_inf_manufacturer_at(inf, 0);
    REQUIRE(m);
    CHECK_STR(m->name, "Contoso");
    CHECK_STR(m->models_name, "Contoso");
    CHECK_EQ(m->nmodels, 1);
    bk_inf_close(inf);
    bk_diags_free(&d);
}

TEST(no_applicable_decoration_falls_back_to_the_undecorated_section)
{
    bk_diags_t d = {0};
    bk_inf_t *inf = open_text("[Manufacturer]\n%M% = Mod, NTarm64\n[Mod]\nA = I, X\n"
                              "[Mod.NTarm64]\nB = I, Y\n[Strings]\nM = m\n",
                              NULL, &d);
    REQUIRE(inf);
    const bk_inf_manufacturer_t *m = bk_inf_manufacturer_at(inf, 0);
    CHECK(m->fallback_undecorated);
    CHECK_STR(m->models_name, "Mod");
    CHECK_STR(m->model[0].hardware_id, "X");
    bk_inf_close(inf);
    bk_diags_free(&d);
}

TEST(install_section_prefers_ntamd64_then_nt_then_plain)
{
    bk_diags_t d = {0};
    bk_inf_options_t o = {.no_file_checks = true};
    bk_inf_t *inf = open_text("[A]\n[A.NT]\n[A.NTamd64]\n[B]\n[B.nt]\n[C]\n[C.NTx86]\n", &o, &d);
    REQUIRE(inf);
    bk_inf_install_t inst;
    CHECK_EQ(bk_inf_get_install(inf, "A", &inst, &d), 0);
    CHECK_STR(inst.section_name, "A.NTamd64");
    CHECK_EQ(bk_inf_get_install(inf, "B", &inst, &d), 0);
    CHECK_STR(inst.section_name, "B.nt");
    CHECK_EQ(bk_inf_get_install(inf, "C", &inst, &d), 0);
    CHECK_STR(inst.section_name, "C");
    CHECK_EQ(bk_inf_get_install(inf, "D", &inst, &d), -1);
    bk_inf_close(inf);
    bk_diags_free(&d);
}

TEST(simbatt_install_folds_in_battc_from_battery_inf_through_needs)
{
    bk_diags_t d = {0};
    bk_inf_t *inf = open_corpus("simbatt.inf", NULL, &d);
    REQUIRE(inf);
    bk_inf_install_t inst;
    REQUIRE(bk_inf_get_install(inf, "SimBatt_Device", &inst, &d) == 0);
    CHECK_STR(inst.section_name, "SimBatt_Device.NT");
    REQUIRE(inst.ncopies == 2);
    CHECK_STR(inst.copies[0].dest_name, "simbatt.sys");
    CHECK_STR(inst.copies[0].list_section, "SimBatt_Device_Drivers");
    CHECK_EQ(inst.copies[0].dirid, BK_DIRID_DRIVERS);
    CHECK(inst.copies[0].source_path && strstr(inst.copies[0].source_path, "/simbatt.sys"));
    CHECK(inst.copies[0].inf == inf);
    CHECK_STR(inst.copies[1].dest_name, "battc.sys");
    CHECK(inst.copies[1].list_section == NULL); /* CopyFiles=@battc.sys */
    CHECK(inst.copies[1].inf != inf);
    CHECK(strstr(bk_inf_path(inst.copies[1].inf), "battery.inf") != NULL);
    CHECK(inst.copies[1].source_path != NULL);
    REQUIRE(inst.nincludes == 1);
    REQUIRE(inst.nhw_regs == 1);
    CHECK_EQ(inst.hw_regs[0].root, BK_INF_HKR);
    CHECK_STR(inst.hw_regs[0].value_name, "Security");
    CHECK_STR(inst.hw_regs[0].values[0], "D:P(A;;GA;;;AU)(A;;GA;;;S-1-15-2-1)");
    REQUIRE(inst.function_service);
    const bk_inf_service_t *s = inst.function_service;
    CHECK_STR(s->name, "SimBatt");
    CHECK_EQ(s->flags, BK_SPSVCINST_ASSOCSERVICE);
    CHECK_EQ(s->service_type_value, BK_SERVICE_KERNEL_DRIVER);
    CHECK_EQ(s->start_type_value, BK_SERVICE_DEMAND_START);
    CHECK_EQ(s->error_control_value, BK_SERVICE_ERROR_NORMAL);
    CHECK_STR(s->service_binary.value, "%12%\\simbatt.sys");
    CHECK_STR(s->display_name.value, "Simulated Battery");
    CHECK_EQ(d.count, 0);
    dump_diags(&d);
    bk_inf_close(inf);
    bk_diags_free(&d);
}

TEST(addreg_entries_keep_root_flags_and_values)
{
    bk_diags_t d = {0};
    bk_inf_t *inf = open_corpus("battery.inf", NULL, &d);
    REQUIRE(inf);
    bk_inf_install_t inst;
    REQUIRE(bk_inf_get_install(inf, "AcAdapter_Inst", &inst, &d) == 0);
    REQUIRE(inst.nregs == 1);
    const bk_inf_reg_t *r = &inst.regs[0];
    CHECK_EQ(r->root, BK_INF_HKR);
    CHECK_STR(r->subkey, "");
    CHECK_STR(r->value_name, "PowerSourceType");
    CHECK_EQ(r->flags, BK_FLG_ADDREG_BINVALUETYPE);
    REQUIRE(r->nvalues == 4);
    CHECK_STR(r->values[0], "01");
    CHECK_STR(r->section, "AcAdapter_AddReg");
    REQUIRE(inst.ncopies == 2);
    CHECK_STR(inst.copies[1].dest_name, "battc.sys");
    CHECK_EQ(d.count, 0);
    bk_inf_close(inf);
    bk_diags_free(&d);
}

TEST(undefined_sections_are_reported_on_the_line_naming_them)
{
    bk_diags_t d = {0};
    bk_inf_options_t o = {0};
    bk_inf_t *inf = open_text("[DestinationDirs]\nDefaultDestDir = 12\n"
                              "[I]\nCopyFiles = NoFiles\nAddReg = NoReg\n"
                              "Include = nowhere.inf\nNeeds = X\n"
                              "[I.Services]\nAddService = S, 2, NoSvc\n",
                              &o, &d);
    REQUIRE(inf);
    bk_inf_install_t inst;
    REQUIRE(bk_inf_get_install(inf, "I", &inst, &d) == 0);
    CHECK(find_diag(&d, BK_SEV_ERROR, 4, "[NoFiles], which is not defined"));
    CHECK(find_diag(&d, BK_SEV_ERROR, 5, "[NoReg], which is not defined"));
    CHECK(find_diag(&d, BK_SEV_WARNING, 6, "Include=nowhere.inf: not found"));
    CHECK(find_diag(&d, BK_SEV_WARNING, 7, "Needs=X is not checked"));
    CHECK(find_diag(&d, BK_SEV_ERROR, 9, "[NoSvc], which is not defined"));
    CHECK(inst.function_service && inst.function_service->section == NULL);
    bk_inf_close(inf);
    bk_diags_free(&d);
}

TEST(needs_sections_cannot_be_nested)
{
    char *dir = make_temp_dir();
    REQUIRE(dir);
    const char outer[] = "[DestinationDirs]\nDefaultDestDir = 12\n"
                         "[I]\nInclude = inner.inf\nNeeds = Inner_Inst\n";
    const char inner[] = "[DestinationDirs]\nDefaultDestDir = 12\n"
                         "[Inner_Inst]\nCopyFiles = @x.sys\nInclude = other.inf\nNeeds = Other\n";
    write_file(dir, "outer.inf", outer, sizeof(outer) - 1);
    write_file(dir, "inner.inf", inner, sizeof(inner) - 1);
    write_file(dir, "x.sys", "x", 1);
    char path[4200];
    snprintf(path, sizeof(path), "%s/outer.inf", dir);
    bk_diags_t d = {0};
    bk_inf_t *inf = bk_inf_open(path, NULL, &d);
    REQUIRE(inf);
    bk_inf_install_t inst;
    REQUIRE(bk_inf_get_install(inf, "I", &inst, &d) == 0);
    CHECK_EQ(inst.ncopies, 1);
    CHECK(inst.ncopies && inst.copies[0].source_path != NULL);
    CHECK(find_diag(&d, BK_SEV_WARNING, 5, "Include= in [Inner_Inst]"));
    CHECK(find_diag(&d, BK_SEV_WARNING, 6, "Needs= in [Inner_Inst]"));
    bk_inf_close(inf);
    bk_diags_free(&d);
    remove_file(dir, "outer.inf");
    remove_file(dir, "inner.inf");
    remove_file(dir, "x.sys");
    rmdir(dir);
    free(dir);
}

TEST(two_function_drivers_are_an_error)
{
    bk_diags_t d = {0};
    bk_inf_options_t o = {.no_file_checks = true};
    bk_inf_t *inf = open_text("[I]\n[I.Services]\nAddService = A, 2, S\nAddService = B, 0x2, S\n"
                              "[S]\nServiceType = 1\n",
                              &o, &d);
    REQUIRE(inf);
    bk_inf_install_t inst;
    REQUIRE(bk_inf_get_install(inf, "I", &inst, &d) == 0);
    CHECK_EQ(inst.nservices, 2);
    CHECK_STR(inst.function_service->name, "A");
    CHECK(find_diag(&d, BK_SEV_ERROR, 4, "a second AddService with flag 0x2"));
    bk_inf_close(inf);
    bk_diags_free(&d);
}

TEST(identifier_score_follows_the_documented_match_types)
{
    const char *inf_compat[] = {"INF_CID_1", "INF_CID_2"};
    bk_inf_model_t m = {
        .hardware_id = "INF_HWID_1", .ncompatible_ids = 2, .compatible_ids = inf_compat};
    const char *hw[] = {"other", "inf_hwid_1"};
    const char *hw_c[] = {"INF_CID_2"};
    const char *cid[] = {"x", "y", "INF_HWID_1"};
    const char *cid_c[] = {"a", "INF_CID_2"};
    /* device hardware ID = INF hardware ID: 0x0000 + position (case-insensitive) */
    CHECK_EQ(bk_inf_identifier_score(&m, hw, 2, NULL, 0), 0x0001);
    /* device hardware ID = INF compatible ID: 0x1000 + hardware position */
    CHECK_EQ(bk_inf_identifier_score(&m, hw_c, 1, NULL, 0), 0x1000);
    /* device compatible ID = INF hardware ID: 0x2000 + compatible position */
    CHECK_EQ(bk_inf_identifier_score(&m, NULL, 0, cid, 3), 0x2002);
    /* compatible = compatible: 0x3000 + j + k * 0x100 */
    CHECK_EQ(bk_inf_identifier_score(&m, NULL, 0, cid_c, 2), 0x3000 + 1 + 1 * 0x100);
    /* the best of several matches */
    CHECK_EQ(bk_inf_identifier_score(&m, hw_c, 1, cid, 3), 0x1000);
    const char *none[] = {"nothing"};
    CHECK_EQ(bk_inf_identifier_score(&m, none, 1, none, 1), -1);
}

TEST(find_model_picks_the_best_ranked_entry)
{
    bk_diags_t d = {0};
    bk_inf_t *inf = open_corpus("battery.inf", NULL, &d);
    REQUIRE(inf);
    const char *hw[] = {"ACPI\\VEN_ACPI&DEV_0003", "ACPI\\ACPI0003"};
    const char *cid[] = {"*ACPI0003"};
    long score;
    const bk_inf_model_t *m = bk_inf_find_model(inf, hw, 2, cid, 1, &score);
    REQUIRE(m);
    CHECK_STR(m->install_section, "AcAdapter_Inst");
    CHECK_EQ(score, 1);
    const char *nohw[] = {"PCI\\VEN_8086"};
    CHECK(bk_inf_find_model(inf, nohw, 1, NULL, 0, &score) == NULL);
    CHECK_EQ(score, -1);
    bk_inf_close(inf);
    bk_diags_free(&d);
}

TEST(files_are_found_case_insensitively_and_sys_as_so)
{
    char *dir = make_temp_dir();
    REQUIRE(dir);
    write_file(dir, "MyBatt.SYS", "x", 1);
    write_file(dir, "other.so", "x", 1);
    char *p = bk_inf_find_file(dir, "mybatt.sys");
    CHECK(p && strstr(p, "/MyBatt.SYS"));
    free(p);
    p = bk_inf_find_file(dir, "other.sys");
    CHECK(p && strstr(p, "/other.so"));
    free(p);
    CHECK(bk_inf_find_file(dir, "missing.sys") == NULL);
    CHECK(bk_inf_find_file(dir, "../etc/passwd") == NULL);
    remove_file(dir, "MyBatt.SYS");
    remove_file(dir, "other.so");
    rmdir(dir);
    free(dir);
}

TEST(search_dirs_supply_driver_files_built_elsewhere)
{
    char *dir = make_temp_dir();
    REQUIRE(dir);
    write_file(dir, "built.so", "x", 1);
    const char text[] = "[DestinationDirs]\nDefaultDestDir = 12\n[I]\nCopyFiles = @built.sys\n";
    const char *dirs[] = {dir, NULL};
    bk_inf_options_t with = {.search_dirs = dirs};
    bk_diags_t d = {0};
    bk_inf_t *inf = bk_inf_open_buffer("/nonexistent/x.inf", text, sizeof(text) - 1, &with, &d);
    REQUIRE(inf);
    bk_inf_install_t inst;
    REQUIRE(bk_inf_get_install(inf, "I", &inst, &d) == 0);
    CHECK(inst.ncopies == 1 && inst.copies[0].source_path != NULL);
    CHECK_EQ(d.errors, 0);
    bk_inf_close(inf);
    inf = bk_inf_open_buffer("/nonexistent/x.inf", text, sizeof(text) - 1, NULL, &d);
    REQUIRE(inf);
    REQUIRE(bk_inf_get_install(inf, "I", &inst, &d) == 0);
    CHECK(find_diag(&d, BK_SEV_ERROR, 4, "file 'built.sys' to copy is not in /nonexistent"));
    bk_inf_close(inf);
    bk_diags_free(&d);
    remove_file(dir, "built.so");
    rmdir(dir);
    free(dir);
}

TEST(check_of_a_good_inf_reports_nothing)
{
    bk_diags_t d = {0};
    bk_inf_t *inf = open_corpus("simbatt.inf", NULL, &d);
    REQUIRE(inf);
    CHECK_EQ(bk_inf_check(inf, &d), 0);
    CHECK_EQ(d.count, 0);
    dump_diags(&d);
    bk_inf_close(inf);
    bk_diags_free(&d);
}
