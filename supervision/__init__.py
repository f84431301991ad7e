"""The supervision round (督导, 002 § 三、四): the plan, visits, 整改意见 and 回访, each school's
督导报告, the round's and the month's 督导通报, and the rates against the profiles' targets."""
