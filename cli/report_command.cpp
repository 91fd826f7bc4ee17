// bloomnet report: the headline suite (report.hpp) into one directory, drawn by the renderer
// installed beside this program (renderer.hpp), with progress on stderr.
#include <chrono>
#include <iostream>
#include <memory>

#include "bloomnet/report.hpp"
#include "commands.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "renderer.hpp"

namespace bloomnet::cli {

void add_report_command(CLI::App& app) {
  struct Options {
    ReportConfig report;
    size_t threads = 0;
    std::string render, shard = "1/1";
  };
  auto options = std::make_shared<Options>();
  ReportConfig& r = options->report;
  CLI::App* cmd = app.add_subcommand("report", "Run the study and write REPORT.md");
  cmd->add_option("--out", r.out, "Report directory")->capture_default_str();
  add_choice(cmd, "--scale", r.scale,
             "How much of the study, timed on 2 cores: quick (under a minute), default (8 to 27 "
             "minutes by machine), full (47 minutes on an AMD EPYC, the committed reference)");
  cmd->add_flag_callback(
      "--quick", [options] { options->report.scale = StudyScale::kQuick; }, "--scale quick");
  cmd->add_flag_callback(
      "--full", [options] { options->report.scale = StudyScale::kFull; }, "--scale full");
  with_default(add_count(cmd, "--jobs", r.jobs,
                         "Sweep points run side by side, each on its share of the threads"),
               r.jobs);
  cmd->add_option("--shard", options->shard,
                  "Run only part I of N of every sweep (I/N) into DIR/<part>.shard-I-of-N.csv; "
                  "a later run without --shard merges the parts and completes the report");
  add_count(cmd, "--steps", r.steps, "Reference training steps (the scale's by default)");
  add_count(cmd, "--sweep-steps", r.sweep_steps,
            "Training steps of every sweep (the budgets scale with it)");
  add_counts(cmd, "--widths", r.widths, "The width sweep's widths");
  add_count(cmd, "--sets", r.sets, "Held-out sets everywhere, without drawing more");
  add_count(cmd, "--seeds", r.seeds, "Seeds per sweep point");
  add_count(cmd, "--threads", options->threads, "OpenMP threads (0: all cores)");
  cmd->add_option("--render", options->render,
                  "The figure and markdown renderer (default: share/bloomnet/render.py beside "
                  "this program's directory)");
  cmd->callback([options] {
    use_threads(options->threads);
    const auto start = std::chrono::steady_clock::now();
    // Found before hours of work, not after.
    const std::filesystem::path renderer =
        options->render.empty() ? installed_renderer() : std::filesystem::path(options->render);
    require(std::filesystem::is_regular_file(renderer),
            "the report's renderer '" + renderer.string() + "' does not exist (--render)");
    ReportConfig config = options->report;
    config.shard = parse_shard(options->shard);
    StderrObserver observer;
    const nlohmann::json summary = run_report(config, observer);
    if (config.shard.count > 1) {
      std::cout << summary.dump(2) << std::endl;
      return;
    }
    render_report(config.out, renderer, python_interpreter(), observer);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::filesystem::path markdown = config.out / "REPORT.md";
    observer.note("report: " + markdown.string() + " in " + std::to_string(std::lround(seconds)) +
                  " s");
    std::cout << nlohmann::json({{"report", markdown.string()}, {"seconds", seconds}}).dump(2)
              << std::endl;
  });
}

}  // namespace bloomnet::cli
