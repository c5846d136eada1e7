"""Chinese for the storefront's English UI text (English is the key; a text
missing here shows in English). Keep entries short and one per line."""

ZH = {
    # Navigation and page furniture
    "Docs": "文档", "Pricing": "价格", "Top up": "充值", "Order lookup": "查订单",
    "one endpoint, many models": "一个端点,众多模型", "Copy": "复制",
    # Home
    "One key, many models": "一个 Key,调用众多模型",
    "Tollgate relays OpenAI- and Anthropic-compatible requests to many model providers and bills them in prepaid credits. Buy a plan with Alipay, get a key at once, no account needed.":
        "Tollgate 把 OpenAI 与 Anthropic 兼容请求转发给众多模型服务商,按预付积分计费。支付宝购买套餐,立即拿到 Key,无需注册。",
    "See plans and prices": "查看套餐与价格", "Read the docs": "阅读文档", "Base URL": "接口地址",
    "Clients ask for the address in one of three forms. If a client rejects the URL, check the form before you suspect the key.":
        "客户端要求的地址有三种形式。客户端拒绝地址时,先检查地址类型是否填对,再怀疑 Key。",
    "API base URL": "API Base URL", "Full endpoint": "完整端点", "Site address": "站点地址",
    'OpenAI SDKs and clients with a "Base URL" setting: use this first': "OpenAI SDK 和支持 Base URL 的客户端优先使用",
    "clients that only take the complete chat completions URL": "客户端只能填写完整端点时使用",
    "clients that only take a host or site address (Claude Code's ANTHROPIC_BASE_URL too)":
        "客户端只接受域名或站点地址时使用(Claude Code 的 ANTHROPIC_BASE_URL 也填这个)",
    "Try it": "试一试", "Already have a key?": "已经有 Key?", "Top it up": "去充值", "Look up an order": "查询订单",
    # Pricing
    "Pay once with Alipay, no account needed. A first purchase gives you a new API key; a top-up adds credits to a key you have.":
        "支付宝一次付款,无需注册。首购获得一个新的 API Key;充值为已有的 Key 增加额度。",
    "Development payment mode: no money moves; the payment page has a button that marks the order paid.":
        "开发支付模式:不会真实扣款;支付页有一个按钮可直接把订单标记为已支付。",
    "Development payment mode: no money moves.": "开发支付模式:不会真实扣款。",
    "First purchase": "首购套餐", "credits": "积分", "base": "原额度", "bonus": "赠送", "Buy": "购买",
    "No plans are on sale right now.": "暂无在售套餐。", "Top up an existing key": "为已有 Key 充值",
    "Package": "套餐", "Price": "价格", "Base": "原额度", "Bonus": "赠送", "Total credits": "到账总额",
    "Top up a key": "为 Key 充值",
    "1B = 1,000,000,000 credits. Requests are billed in credits from the model prices below.":
        "1B = 1,000,000,000 积分。请求按下方模型价格以积分计费。",
    "Model prices": "模型价格", "Credits per 1M tokens; a flat price per request is added where shown.":
        "单位:积分 / 百万 tokens;如有按次价格另计。",
    "Model": "模型", "Input": "输入", "Output": "输出", "Cached input": "缓存输入", "Per request": "按次",
    "No models are published yet.": "暂无公开模型。",
    # Buy and top-up forms
    "Contact email": "联系邮箱", "Coupon (optional)": "优惠码(可选)", "Continue to payment": "去支付",
    "Your key is shown once after payment and sent to this address. With the order number it also finds your order later.":
        "付款后 Key 只显示一次,并发送到该邮箱。凭订单号和该邮箱可随时查单。",
    "Your API key": "你的 API Key", "Check key": "验证 Key", "(unnamed key)": "(未命名 Key)",
    "Available": "可用", "Used": "已用", "Total": "总额",
    # Order page
    "Order": "订单", "Status": "状态", "Amount": "金额", "Credits": "积分", "Delivery": "交付", "Key": "Key",
    "Pending": "待支付", "Paid": "已支付", "Closed": "已关闭", "Refunded": "已退款",
    "Delivered": "已交付", "Credited": "已到账", "Waiting for payment": "等待付款",
    "list price": "原价", "coupon": "优惠码", "including bonus": "含赠送",
    "Scan with Alipay to pay": "支付宝扫码支付",
    "This page checks the payment by itself and updates when it arrives. Pay before": "本页会自动确认付款并刷新。请在此时间前付款:",
    "Simulate payment (development)": "模拟付款(开发模式)",
    "This is the only time the key is shown here. Copy it now and keep it secret.": "Key 只在这里显示这一次,请立即复制并妥善保管。",
    "Base URL for SDKs": "SDK 的 Base URL", "How to use it": "使用方法",
    "Payment received: your key is ready": "已收到付款,Key 已就绪",
    "The key is shown once. Have somewhere safe to paste it, then:": "Key 只显示一次。准备好保存的位置后点击:",
    "Show my API key": "显示我的 API Key",
    "The key was already shown once on this page and sent to your contact email.": "Key 已在本页显示过一次,并已发送到联系邮箱。",
    "Paid: the credits are on your key.": "已支付,额度已到账。", "Check the key's quota": "查看 Key 额度",
    "This order was closed without payment. Start a new one from the pricing page.": "该订单未付款已关闭,请在价格页重新下单。",
    # Lookup
    "Enter the order number and the contact email you gave. Both must match.": "输入订单号和下单时填写的联系邮箱,两者必须匹配。",
    "Order number": "订单号", "Look up": "查询",
    # Messages
    "A valid contact email is required.": "请填写有效的联系邮箱。", "Please choose a package.": "请选择套餐。",
    "This API key cannot be topped up: check that it is complete and active.": "该 API Key 无法充值:请确认 Key 完整且处于启用状态。",
    "This coupon does not exist.": "优惠码不存在。", "This coupon is not valid now.": "优惠码不在有效期内。",
    "This coupon does not apply to this package.": "优惠码不适用于该套餐。", "This coupon has been used up.": "优惠码已用完。",
    "No order matches this order number and email.": "没有与该订单号和邮箱匹配的订单。",
    "The payment could not be started; try again shortly.": "无法发起支付,请稍后再试。",
    "This order has expired; please place a new one.": "订单已过期,请重新下单。",
    "The key was already shown once (and sent to your email).": "Key 已显示过一次(并已发送到你的邮箱)。",
    "The key is delivered once the order is paid.": "订单付款后才会交付 Key。",
    "Development payment is not available.": "开发支付不可用。",
    # Docs
    "Quick start": "快速开始", "Authentication": "认证方式", "Code samples": "代码示例", "Errors": "错误码",
    "Rate limits": "速率限制", "Store API": "站内辅助接口", "Field": "字段", "Type": "类型", "Required": "必填",
    "Meaning": "说明", "yes": "是", "no": "否", "Request": "请求", "Response": "响应", "Error": "错误",
    "A model id from /v1/models.": "/v1/models 中的模型 ID。", "Chat messages in OpenAI format.": "OpenAI 格式的对话消息。",
    "Server-sent events, relayed chunk for chunk.": "SSE 流式输出,逐块转发。",
    "Output cap; lowered to what the balance covers (header x-tollgate-max-tokens).": "输出上限;余额不足时自动下调(响应头 x-tollgate-max-tokens)。",
    "Passed to the upstream unchanged.": "原样转发给上游。", "Streaming (Python)": "流式输出(Python)",
    "Enabled models your key may use, with their prices in credits per 1M tokens.": "你的 Key 可用的模型及价格(积分 / 百万 tokens)。",
    "returns one.": "返回单个模型。", "Set TOLLGATE_KEY to your key first.": "先把环境变量 TOLLGATE_KEY 设为你的 Key。",
    "The key is missing, malformed, unknown, disabled or expired.": "Key 缺失、格式错误、不存在、已停用或已过期。",
    "The key's account is suspended.": "Key 所属账户已停用。", "The request body is incomplete or invalid.": "请求体不完整或无效。",
    "The balance cannot cover the request: top up.": "余额不足,请充值。", "Unknown, disabled or private model.": "模型不存在、已停用或未公开。",
    "The body is over the size limit.": "请求体超过大小限制。", "Too many requests: wait for Retry-After.": "请求过于频繁,请按 Retry-After 等待后重试。",
    "The upstream failed or timed out; retry later.": "上游出错或超时,请稍后重试。", "No channel serves the model right now.": "当前没有渠道提供该模型。",
    "Per key": "每个 Key", "requests per minute": "次请求 / 分钟", "per day": "次 / 天", "(unless the key has its own limits).": "(Key 单独设置的限额优先)。",
    "Without a valid key, per client IP": "无有效 Key 时按客户端 IP", "Store API lookups, per client IP": "站内辅助接口查询,按客户端 IP",
    "Request bodies up to": "请求体上限",
    "Limited responses carry x-ratelimit-limit, x-ratelimit-remaining and x-ratelimit-reset; refusals add Retry-After.":
        "受限响应带有 x-ratelimit-limit、x-ratelimit-remaining、x-ratelimit-reset 头;被拒绝时另有 Retry-After。",
    "Endpoint": "接口", "Body": "请求体", "Answers": "返回",
    "packages: code, priceCents, baseQuotaAmount, bonusQuotaAmount, quotaAmount": "套餐列表:code、priceCents、baseQuotaAmount、bonusQuotaAmount、quotaAmount",
    "apiKey, once": "apiKey(仅一次)", "as for purchases;": "同首购;",
    "The JSON body did not match the endpoint.": "JSON 请求体与接口不符。",
    "The order could not be created (see error.reason: email_invalid, package_unknown, coupon_...).": "订单创建失败(见 error.reason:email_invalid、package_unknown、coupon_...)。",
    "The payment could not be started.": "无法发起支付。", "Not paid yet, or the key was already handed over.": "尚未付款,或 Key 已交付过。",
    "The key cannot be topped up.": "该 Key 无法充值。", "The top-up order could not be created.": "充值订单创建失败。",
    "Quota and usage: the key was not accepted.": "额度与用量查询:Key 无效。", "Too many lookups from your address.": "你的地址查询过于频繁。",
    "Something failed on our side.": "服务端出错。", "Alipay QR code": "支付宝付款码",
    "Dashboard": "控制台", "Admin": "管理后台", "Sign out": "退出登录", "Sign in": "登录", "Register": "注册",
    "Want to see usage, create more keys or revoke this one? Create an account with this order's email and number:":
        "想查看用量、创建更多 Key 或吊销这个 Key?用这个订单的邮箱和订单号注册账户:",
    "Register and claim this purchase": "注册并认领这笔购买",
    "Want several keys, limits and a usage log?": "想要多个 Key、限额和用量记录?", "Create an account": "注册账户",
    "Open the dashboard": "打开控制台",
    # Blog (tags are shown through _() too: every tag a post uses needs a line here)
    "Blog": "博客", "Tags": "标签", "All posts": "全部文章", "Posts tagged": "标签", "updated": "更新于",
    "No posts yet.": "暂无文章。", "This post is in English only.": "本文暂无中文版,以下为英文原文。",
    "Guides to Tollgate: getting a key, connecting clients such as Claude Code, and how billing works.":
        "Tollgate 使用指南:获取 Key、接入 Claude Code 等客户端、计费方式。",
    "getting-started": "入门", "api": "API", "claude-code": "Claude Code", "anthropic": "Anthropic",
    "billing": "计费",
    "How to call Tollgate: base URLs, authentication, endpoints, errors, rate limits, Claude Code and code samples in seven languages.":
        "Tollgate 调用指南:接口地址、认证、接口、错误码、速率限制、Claude Code 与七种语言的代码示例。",
    "Tollgate plans, top-up packages and model prices in credits per 1M tokens. Pay with Alipay, no account needed.":
        "Tollgate 套餐、充值包与模型价格(积分 / 百万 tokens)。支付宝付款,无需注册。",
    # API reference (/docs/api-reference; operation summaries and tag names come from blueprints/apidocs/spec.py)
    "API reference": "API 参考",
    "Every public route of the Tollgate API: request bodies, answers and errors, from its OpenAPI description.":
        "Tollgate API 的全部公开接口:请求体、响应与错误,取自其 OpenAPI 描述。",
    "Every public route, its request body, its answers and its errors. The same description, machine-readable:":
        "每个公开接口的请求体、响应与错误。同一份描述的机器可读版本:",
    "Every /v1 route also answers under /api/v1. Field descriptions are in English, as in the API itself.":
        "每个 /v1 接口在 /api/v1 下同样可用。字段说明为英文,与 API 本身一致。",
    "Every route, field and error is in the API reference, also as an OpenAPI 3.1 description:":
        "每个接口、字段和错误都在 API 参考中,也有 OpenAPI 3.1 描述:",
    "Back to the docs": "返回文档", "also": "另有", "none": "无", "or": "或",
    "none: the order number and its email, or the key, go in the body": "无:订单号及其邮箱,或 Key,放在请求体中",
    'Streams as text/event-stream with "stream": true.': '"stream": true 时以 text/event-stream 流式返回。',
    "Parameters": "参数", "Name": "名称", "In": "位置", "Description": "说明", "Request body": "请求体",
    "Example": "示例", "Responses": "响应", "Response body": "响应体", "When": "何时", "* required": "* 必填",
    "session cookie": "会话 Cookie",
    "OpenAI": "OpenAI", "Anthropic": "Anthropic", "Account": "账户", "Store": "商店", "Tokens": "令牌",
    "Chat completion": "对话补全", "Anthropic message": "Anthropic 消息", "Count input tokens": "统计输入 tokens",
    "Create a response": "创建响应", "Get a stored response": "获取已存储的响应",
    "Delete a stored response": "删除已存储的响应", "List models": "模型列表", "Get a model": "查询模型",
    "Balance": "余额", "Billing subscription": "账单额度", "Billing usage": "账单用量",
    "Top-up packages": "充值套餐", "Purchase plans": "首购套餐", "Create a purchase order": "创建购买订单",
    "Pay a purchase order": "支付购买订单", "Query a purchase order": "查询购买订单",
    "Claim the purchased key (once)": "领取购买的 Key(仅一次)", "Preview a key before topping it up": "充值前预览 Key",
    "Create a top-up order": "创建充值订单", "Pay a top-up order": "支付充值订单", "Query a top-up order": "查询充值订单",
    "Quota of a key": "查询 Key 额度", "Recent requests of a key": "Key 的最近请求",
    "List your keys": "列出你的 Key", "Create a key": "创建 Key", "Revoke a key": "停用 Key", "Delete a key": "删除 Key",
}
