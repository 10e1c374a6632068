"""The "1222" publicity (一栏、两节课、两封信、两回执): the policy and aid letters with their return
slips, slip registration, the poster, the recipients' public notice, the two policy classes and the
inspection pack, drawn as PDFs with embedded Chinese fonts.

Services: `letters.produce_letters`, `letters.remake_batch`, `letters.preview_letter`,
`slips.receive` (via `aidoffice.services.slip_desk`, which keeps the problem list in step) / `slip_status` / `outstanding` / `applicants` / `objections` / `export_outstanding`,
`poster.produce_poster`, `notice.produce_notice`, `sessions.record_session` / `missing_sessions` /
`produce_handout` / `produce_signin`, `pack.make_pack`, `settings.read_settings` / `write_settings`,
`templates.save_template` / `restore_default`."""
