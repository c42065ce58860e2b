// Allure Report 3 configuration for `make report`: one self-contained index.html that opens from disk.
export default {
  name: "hybridcheck",
  output: "../../reports/allure-report",
  // Trend charts across runs: each `make report` appends to this file.
  historyPath: "../../reports/history/allure-history.jsonl",
  plugins: {
    awesome: {
      options: {
        singleFile: true,
        reportName: "hybridcheck conformance",
        groupBy: ["feature", "story"],
      },
    },
  },
};
