"""Chinese for the admin area's English UI text (English is the key).
Registered with the storefront's i18n by the blueprint's record_once hook;
where the storefront already translates a text, its wording wins."""

ZH = {
    # Navigation and shared
    "Overview": "概览", "Channels": "渠道", "Models": "模型", "Packages": "套餐", "Coupons": "优惠码",
    "Orders": "订单", "Accounts": "账户", "Request logs": "请求日志", "Ledger check": "账本校验",
    "Audit log": "审计日志", "Newer": "较新", "Page": "页", "Older": "较旧", "Save": "保存", "Cancel": "取消",
    "Edit": "编辑", "Enable": "启用", "Disable": "停用", "Search": "搜索", "Filter": "筛选", "any": "全部",
    "all": "全部", "active": "启用中", "inactive": "已停用", "enabled": "已启用", "disabled": "已停用",
    "ok": "正常", "failed": "失败", "Actions": "操作", "State": "状态", "Time": "时间", "Kind": "类型",
    "Name": "名称", "Email": "邮箱", "Code": "代码", "Value": "数值", "Reason": "原因", "Created": "创建时间",
    # Overview
    "The ledger check found accounts whose balance is off.": "账本校验发现余额不符的账户。",
    "Ledger ok: every balance equals the sum of its entries and none is negative.":
        "账本正常:每个余额都等于其流水之和,且没有负数。",
    "Requests today": "今日请求", "Server errors": "服务端错误", "Credits charged today": "今日扣费积分",
    "Paid today": "今日已支付", "Channel health": "渠道健康", "Models and prices": "模型与价格",
    "Times are UTC. Operators are made with:": "时间均为 UTC。管理员通过以下命令创建:",
    # Channels
    "Add a channel": "添加渠道", "Edit channel": "编辑渠道", "Provider": "类型",
    "Requests, error rate and latency cover the last 60 minutes of the request log.":
        "请求数、错误率和延迟统计最近 60 分钟的请求日志。",
    "Channel": "渠道", "Circuit breakers": "熔断器", "Requests": "请求数", "Error rate": "错误率",
    "Latency": "延迟", "Last health check": "最近健康检查", "Upstream balance": "上游余额",
    "recent failures": "次近期失败", "first byte": "首字节", "Test": "测试", "No channels yet.": "还没有渠道。",
    "For example https://api.deepseek.com/v1. Only public addresses, unless allow-listed.":
        "例如 https://api.deepseek.com/v1。只允许公网地址(除非已加入白名单)。",
    "Upstream API key": "上游 API Key",
    "Write-only: never shown again. Leave blank to keep the stored key.": "只写:不会再显示。留空则保留已保存的 Key。",
    "Stored encrypted; never shown again.": "加密保存,不会再显示。",
    "Model ids this channel serves, separated by commas.": "此渠道提供的模型 ID,用逗号分隔。",
    "Model map": "模型映射", "One client_name=upstream_name per line.": "每行一条 客户端名称=上游名称。",
    "Speaks": "上游协议", "provider default": "类型默认",
    "Dialects the upstream speaks, separated by commas, from: {names}. Blank: the provider default ({defaults}). "
    "Tollgate never probes the upstream to find out.":
        "上游支持的协议,用逗号分隔,可选:{names}。留空:使用该类型的默认值({defaults})。Tollgate 不会探测上游来判断。",
    "Priority": "优先级", "Higher priority groups serve first.": "优先级高的组先提供服务。",
    "Weight": "权重", "Share of traffic inside a priority group.": "同一优先级组内的流量占比。",
    "Connect timeout (s)": "连接超时(秒)", "First-byte timeout (s)": "首字节超时(秒)",
    "Idle timeout (s)": "空闲超时(秒)", "Blank: the configured default.": "留空:使用配置的默认值。",
    "Channel test": "渠道测试", "The upstream answered.": "上游已响应。", "The check failed.": "检查失败。",
    "Answer": "回答", "Error": "错误", "Back to channels": "返回渠道列表",
    # Models
    "Add a model": "添加模型", "Edit model": "编辑模型", "Model id": "模型 ID",
    "The name clients send, e.g. deepseek-chat.": "客户端发送的名称,例如 deepseek-chat。",
    "Display name": "显示名称", "Category": "分类", "chat, reasoning, embedding, image, ...": "chat、reasoning、embedding、image 等",
    "Input price (credits per 1M tokens)": "输入价格(积分 / 百万 tokens)",
    "Output price (credits per 1M tokens)": "输出价格(积分 / 百万 tokens)",
    "Cached input price (credits per 1M tokens)": "缓存输入价格(积分 / 百万 tokens)",
    "Blank: the input price.": "留空:按输入价格计费。",
    "Request price (credits per request)": "按次价格(积分 / 次)", "Max output tokens": "最大输出 tokens",
    "Context window": "上下文窗口", "Enabled: can be called": "启用:可以调用",
    "Public: listed in /v1/models and on the pricing page": "公开:显示在 /v1/models 和价格页",
    "Prices are credits per 1M tokens; a flat price per request is added.": "价格单位为积分 / 百万 tokens;另加按次价格。",
    "public": "公开", "private": "私有", "No models yet.": "还没有模型。", "Model aliases": "模型别名",
    "Clients (Claude Code, the Anthropic SDK) may call a registry model by another name or a wildcard pattern such as claude-*. The registry model is billed.":
        "客户端(Claude Code、Anthropic SDK)可以用别名或通配符(如 claude-*)调用注册表中的模型,按注册表模型计费。",
    "Pattern": "匹配模式", "Calls model": "调用模型", "Remove": "删除", "No aliases yet.": "还没有别名。",
    "Add alias": "添加别名",
    # Packages and coupons
    "Add a package": "添加套餐", "Edit package": "编辑套餐", "For example topup_50 or plan_50.": "例如 topup_50 或 plan_50。",
    "Chinese name": "中文名称", "Price (cents)": "价格(分)", "CNY fen: 2000 is 20.00 yuan.": "单位为分:2000 即 20.00 元。",
    "Base credits": "基础积分", "Bonus credits": "赠送积分", "Sort order": "排序", "Active: on sale": "启用:在售",
    "Activate": "启用", "Deactivate": "停用", "No packages yet.": "还没有套餐。",
    "Discount": "优惠", "Valid from": "生效时间", "Valid until": "失效时间", "Used": "已用",
    "No coupons yet.": "还没有优惠码。", "Create a coupon": "创建优惠码", "Percent off (1-99)": "百分比折扣(1-99)",
    "Fixed cents off": "固定减免(分)", "Package codes": "套餐代码",
    "Comma-separated; blank: every package.": "用逗号分隔;留空:适用所有套餐。",
    "UTC; blank: now.": "UTC;留空:立即生效。", "UTC; blank: no end.": "UTC;留空:长期有效。",
    "Max uses": "最多使用次数", "Blank: unlimited.": "留空:不限次数。", "Create coupon": "创建优惠码",
    # Orders
    "Order number": "订单号", "Status": "状态", "Amount": "金额", "Credits": "积分", "Paid via": "支付途径",
    "No orders match.": "没有符合条件的订单。", "Order": "订单", "Account": "账户", "price": "原价", "coupon": "优惠码",
    "key": "Key", "Payment": "支付", "paid via": "支付途径", "Expires": "过期时间",
    # Own keys: the storefront's "Paid", "Closed", ... name a status (已支付), these the order's timestamps.
    "Paid at": "支付时间", "Closed at": "关闭时间", "Refunded at": "退款时间", "Delivery state": "发放状态",
    "Operator note": "管理员备注",
    "Mark paid by hand": "手动标记为已支付",
    "For a payment you have confirmed outside Tollgate. The credits are booked exactly once, as if the provider had notified us.":
        "用于已在 Tollgate 之外确认的付款。积分只入账一次,如同收到支付平台的通知。",
    "Book the credits of this order now?": "现在为这笔订单入账积分?", "Mark paid": "标记为已支付", "Refund": "退款",
    "Takes the order's credits back off its account through the ledger and marks the order refunded. Refused when the balance no longer covers them. Return the money with the payment provider yourself.":
        "通过账本从账户扣回这笔订单的积分,并把订单标记为已退款。余额不足时拒绝。钱款请自行在支付平台退还。",
    "Take the credits back and mark the order refunded?": "扣回积分并把订单标记为已退款?",
    "Back to orders": "返回订单列表",
    # Accounts
    "Users and accounts": "用户与账户", "Balance": "余额", "Users": "用户", "operator": "管理员",
    "Adjust balance": "调整余额",
    "Negative to take credits off; the balance never goes below zero.": "负数表示扣减;余额不会低于零。",
    "Adjust": "调整", "Suspend": "冻结", "Unsuspend": "解冻", "A suspended account's keys are refused.": "冻结账户的 Key 会被拒绝。",
    "Keys": "Key", "Key": "Key", "Spent": "已消费", "Spend cap": "消费上限", "Last used": "最近使用", "Logs": "日志",
    "No keys.": "没有 Key。", "Ledger entries": "账本流水", "Reference": "关联", "Note": "备注",
    "No ledger entries.": "没有流水。", "No accounts match.": "没有符合条件的账户。",
    "Users without an account": "没有账户的用户", "User": "用户", "Operator": "管理员", "Last sign-in": "最近登录",
    "yes": "是", "no": "否",
    # Logs, ledger, audit
    "succeeded": "成功", "Date (UTC)": "日期(UTC)", "Tokens in / out": "输入 / 输出 tokens", "Client": "客户端",
    "cached": "缓存", "No requests match.": "没有符合条件的请求。",
    "The same check as flask --app app ledger verify: every balance must equal the sum of its ledger entries and none may be negative.":
        "与 flask --app app ledger verify 相同的检查:每个余额必须等于其流水之和,且不能为负。",
    "Accounts whose balance is off:": "余额不符的账户:", "Sum of ledger entries": "流水合计", "Problem": "问题",
    "Every manual operator action: who, what, to which row, why.": "每一次管理员手动操作:谁、做了什么、对象、原因。",
    "Action": "操作", "Target": "对象", "Detail": "详情", "Nothing recorded yet.": "还没有记录。",
    # Flash messages after an action.
    "Refused: the balance ({balance} credits) cannot go below zero; nothing changed.": "已拒绝:余额({balance} 点)不能低于零;未做任何更改。",
    "Balance adjusted by {credits} credits.": "余额已调整 {credits} 点。",
    "This adjustment was already booked (the form was sent twice); nothing changed.": "这笔调整已记账(表单提交了两次);未做任何更改。",
    "Account {id} is now {status}.": "账户 {id} 现在为 {status}。", "Key {id} disabled.": "Key {id} 已停用。",
    "Channel {name} added.": "渠道 {name} 已添加。", "Channel {name} saved.": "渠道 {name} 已保存。",
    "Channel {name} enabled.": "渠道 {name} 已启用。", "Channel {name} disabled.": "渠道 {name} 已停用。",
    "No such channel, or it serves no model.": "没有这个渠道,或它不提供任何模型。",
    "Model {id} saved.": "模型 {id} 已保存。", "Alias {pattern} now calls {model}.": "别名 {pattern} 现在调用 {model}。",
    "Alias {pattern} removed.": "别名 {pattern} 已删除。", "No alias {pattern}.": "没有别名 {pattern}。",
    "Package {code} saved.": "套餐 {code} 已保存。", "Package {code} activated.": "套餐 {code} 已上架。",
    "Package {code} deactivated.": "套餐 {code} 已下架。", "Coupon {code} created.": "优惠券 {code} 已创建。",
    "Coupon {code} deactivated.": "优惠券 {code} 已停用。",
    "Order {no} marked paid; its credits were booked.": "订单 {no} 已标记为已支付,额度已入账。",
    "Order {no} was already paid; nothing changed.": "订单 {no} 早已支付;未做任何更改。",
    "Order {no} refunded; its credits were taken back.": "订单 {no} 已退款,额度已扣回。",
    "Order {no} was already refunded; nothing changed.": "订单 {no} 早已退款;未做任何更改。",
    "Key {id} is not active; nothing to do.": "Key {id} 不是启用状态;无需操作。",
    # Form errors (forms.py); the labels are translated too.
    "{label}: required": "{label}:必填", "{label}: a whole number, please": "{label}:请填写整数",
    "{label}: at least {minimum}": "{label}:不能小于 {minimum}", "{label}: at most {maximum}": "{label}:不能大于 {maximum}",
    "{label}: a number of seconds, please": "{label}:请填写秒数", "{label}: more than 0": "{label}:必须大于 0",
    "{label}: expected client_name=upstream_name, got {line}": "{label}:应为 客户端名称=上游名称,实际为 {line}",
    "{label}: a date and time such as 2026-01-31T23:59": "{label}:请填写日期和时间,例如 2026-01-31T23:59",
    "Input price": "输入价格", "Output price": "输出价格", "Cached input price": "缓存输入价格",
    "Request price": "按次价格", "Connect timeout": "连接超时", "First-byte timeout": "首字节超时",
    "Idle timeout": "空闲超时",
    # Refusals the services raise in English (services/billing/accounts.py, services/store/orders/manual.py): fixed texts,
    # and the templates of forms.SERVICE_MESSAGES, whose values error_text() reads back out of the message.
    "Give a reason; it is kept on the ledger entry and in the audit log.": "请填写原因;它会记录在账本流水和审计日志中。",
    "Give a reason; it is kept on the order and in the audit log.": "请填写原因;它会记录在订单和审计日志中。",
    "Adjust by a non-zero number of credits.": "调整的积分数不能为零。",
    "No account {id}.": "没有账户 {id}。", "No order {no}.": "没有订单 {no}。",
    "Order {no} is {status}; only a pending order can be marked paid.":
        "订单 {no} 的状态为 {status};只有待支付的订单才能标记为已支付。",
    "Order {no} is {status}; only a paid order can be refunded.": "订单 {no} 的状态为 {status};只有已支付的订单才能退款。",
    "The account's balance ({balance} credits) no longer covers the {credits} credits this order gave; nothing was refunded.":
        "账户余额({balance} 积分)已不足以扣回这笔订单发放的 {credits} 积分;未做任何退款。",
    "unknown dialect {name}; choose from {allowed}": "未知协议 {name};可选:{allowed}",
    "a channel of kind {provider} cannot speak {refused}; it can speak {sendable}":
        "类型为 {provider} 的渠道不能使用 {refused};它可以使用 {sendable}",
}
