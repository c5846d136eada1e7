"""Chinese for the dashboard's and the account pages' English UI text
(English is the key). Registered with the storefront's i18n by the auth and
dashboard blueprints; texts the storefront already has keep its wording."""

ZH = {
    # Sign in, register
    "Email": "邮箱", "Password": "密码", "No account yet?": "还没有账号?", "Already registered?": "已经注册?",
    "Repeat the password": "再次输入密码", "Order number (optional)": "订单号(可选)", "Create account": "创建账号",
    "Bought a plan without an account? Register with the contact email of that order and its order number: the purchased key and its credits then appear in your dashboard.":
        "未注册时购买过套餐?用该订单的联系邮箱和订单号注册,购买的 Key 和额度就会出现在控制台里。",
    "Email or password is wrong.": "邮箱或密码错误。",
    "Too many attempts. Wait a few minutes and try again.": "尝试次数过多,请稍等几分钟再试。",
    "Welcome! Your account is ready.": "欢迎!账号已创建。",
    "The two passwords differ.": "两次输入的密码不一致。",
    "Enter a valid email address.": "请输入有效的邮箱地址。",
    "Use at least 8 characters.": "密码至少 8 个字符。", "Use at most 256 characters.": "密码最多 256 个字符。",
    "This email cannot be registered. If you already have an account, sign in instead.":
        "该邮箱无法注册。如果你已有账号,请直接登录。",
    "No paid purchase matches this order number and email.": "没有与该订单号和邮箱匹配的已支付订单。",
    "Your account already has keys, orders or credits, so a purchase cannot be attached to it.":
        "你的账号已有 Key、订单或额度,无法再关联购买订单。",
    "The current password is not right.": "当前密码不正确。",
    "Password changed. Other devices were signed out.": "密码已修改,其他设备已退出登录。",
    "The purchase is now in your account.": "订单已关联到你的账号。",
    # Dashboard furniture
    "Overview": "概览", "Keys": "Key", "Usage": "用量", "Orders": "订单", "Settings": "设置",
    "Balance": "余额", "{n} active": "{n} 个可用", "Spent in the last 7 days": "最近 7 天消耗",
    "credits in {n} requests": "积分,共 {n} 次请求", "Manage keys": "管理 Key", "Recent keys": "最近的 Key",
    "You have no keys yet. Create one on the Keys page, or claim a purchase in Settings.":
        "你还没有 Key。可在“Key”页创建,或在“设置”里关联购买订单。",
    "ACTIVE": "可用", "REVOKED": "已吊销", "EXPIRED": "已过期",
    # Keys
    "Name": "名称", "Key": "Key", "Status": "状态", "Created": "创建时间", "Last used": "最近使用",
    "Spent": "已消耗", "Limits": "限制", "You have no keys yet.": "你还没有 Key。", "Create a key": "创建 Key",
    "Create key": "创建 Key", "Spend cap (credits, empty: none)": "消费上限(积分,留空不限)",
    "Expires after (YYYY-MM-DD, UTC, empty: never)": "有效期至(YYYY-MM-DD,UTC,留空永久)",
    "Allowed models (comma-separated, empty: all)": "允许的模型(逗号分隔,留空为全部)",
    "Requests per minute (empty: the default)": "每分钟请求数(留空用默认值)",
    "cap {n}": "上限 {n}", "until {d}": "至 {d}", "models: {m}": "模型:{m}", "{n} rpm": "{n} 次/分钟",
    "Key created": "Key 已创建",
    "Copy the key now. It is shown only this once and cannot be shown again; if you lose it, create a new one.":
        "请立即复制 Key。它只显示这一次,之后无法再次查看;丢失后请新建一个。",
    "Back to keys": "返回 Key 列表", "How to use it": "使用方法", "Requests made with this key": "该 Key 的请求记录",
    "Rename": "重命名", "Save limits": "保存限制", "Revoke or delete": "吊销或删除", "Revoke key": "吊销 Key",
    "Delete key": "删除 Key",
    "Revoke this key? Requests with it are refused at once, and this cannot be undone.":
        "确定吊销该 Key?使用它的请求会立即被拒绝,且无法恢复。",
    "Delete this key? It stops working at once and disappears from your lists.":
        "确定删除该 Key?它会立即失效并从列表中消失。",
    "Key renamed.": "Key 已重命名。", "Limits saved.": "限制已保存。",
    "Key revoked. Requests with it are refused from now on.": "Key 已吊销,此后使用它的请求都会被拒绝。",
    "Key deleted.": "Key 已删除。",
    "Give the key a name.": "请为 Key 命名。", "Use at most 120 characters for the name.": "名称最多 120 个字符。",
    "The spend cap must be a whole number of credits.": "消费上限必须是整数积分。",
    "Requests per minute must be a whole number from 1 to 1,000,000.": "每分钟请求数必须是 1 到 1,000,000 之间的整数。",
    "Give the expiry date as YYYY-MM-DD.": "有效期请按 YYYY-MM-DD 填写。",
    "List model names separated by commas.": "请用逗号分隔模型名称。",
    "Allow at most 50 models.": "最多允许 50 个模型。",
    "An account can hold at most 100 keys; delete one first.": "每个账号最多 100 个 Key,请先删除一个。",
    # Usage
    "{n} credits in total": "共 {n} 积分",
    "requests": "次请求", "Per model, last 30 days": "最近 30 天按模型", "Requests": "请求数", "Credits": "积分",
    "No requests in the last 30 days.": "最近 30 天没有请求。", "Per day as a table": "按天表格", "Day": "日期",
    "Request log": "请求日志", "All keys": "全部 Key", "All": "全部", "OK": "成功", "Error": "错误",
    "From": "从", "To": "到", "Filter": "筛选", "Matching requests: {n}": "匹配的请求:{n} 条",
    "Time (UTC)": "时间(UTC)", "Tokens in / out": "输入 / 输出 tokens", "Latency": "耗时", "Client": "客户端",
    "Newer": "较新", "Older": "较早", "Page {p} of {n}": "第 {p} / {n} 页",
    # Orders
    "Kind": "类型", "Amount": "金额", "No orders yet.": "暂无订单。",
    "Pending": "待支付", "Paid": "已支付", "Closed": "已关闭", "Refunded": "已退款",
    # Settings
    "Last sign-in": "上次登录", "Change password": "修改密码", "Current password": "当前密码",
    "New password": "新密码", "Repeat the new password": "再次输入新密码",
    "Changing the password signs out every other device.": "修改密码后,其他设备会退出登录。",
    "Claim a purchase": "关联购买订单", "Claim": "关联",
    "Bought a plan with this email before you had an account? Enter its order number to see its key and credits here. This works while your own account is still empty (no keys, orders or credits besides a trial).": "用这个邮箱在注册前买过套餐?填写订单号即可在这里看到它的 Key 和额度。仅当你自己的账户仍为空(除试用额度外没有 Key、订单或额度)时可用。",
    "Sign out everywhere": "退出所有设备",
    "Ends every session of your account, on this and all other devices.": "结束账号在本设备和其他所有设备上的登录。",
    "Credits per day and model, last 30 days": "最近 30 天每日各模型积分", "other models": "其他模型",
    "Unknown model: {names}": "未知模型:{names}",
    "This password is too easy to guess; choose another.": "这个密码太容易被猜到,请换一个。",
}
