"""Chinese for the playground (dashboard) and for buying or topping up while
signed in (storefront). English is the key, as in strings_zh.py."""

ZH = {
    # Playground page
    "Playground": "在线体验",
    "Chat with a model through one of your keys. Each answer is billed like an API call with that key, and shows its tokens and credits.":
        "用你的某个 Key 与模型对话。每次回答都像用该 Key 调用 API 一样计费,并显示所用 token 和积分。",
    "You have no active key. Create one on the Keys page first.": "你还没有可用的 Key,请先在“Key”页创建。",
    "You": "你", "Assistant": "助手", "Model": "模型", "Message": "消息", "Send": "发送", "New chat": "新对话",
    "{prompt} prompt tokens · {completion} completion tokens · {credits} credits":
        "输入 {prompt} token · 输出 {completion} token · {credits} 积分",
    "(estimated)": "(估算)",
    "The answer stopped early: the model's provider failed.": "回答提前中断:模型服务商出错。",
    "This key may use no model.": "该 Key 没有可用的模型。",
    "Waiting for the answer…": "等待回答…",
    # Playground refusals
    "Not enough credits for this answer: top up your account or raise the key's spend cap.":
        "积分不足,无法完成本次回答:请为账号充值,或提高该 Key 的消费上限。",
    "This key may not use this model.": "该 Key 不能使用这个模型。",
    "Too many requests with this key. Wait a moment and try again.": "该 Key 的请求过于频繁,请稍后再试。",
    "The conversation is too long. Start a new chat.": "对话太长,请开始新对话。",
    "The model's provider is not answering. Try again later.": "模型服务商暂时没有响应,请稍后再试。",
    "This key cannot be used.": "该 Key 无法使用。",
    "API access is disabled for this account.": "该账号的 API 访问已被停用。",
    "No such key.": "没有这个 Key。",
    "The request was not accepted.": "请求未被接受。",
    "Sign in first.": "请先登录。",
    # Signed-in top-up and purchase (storefront)
    "Top up my account": "为我的账号充值",
    "Signed in as {email}: the credits go to your account, and every key of the account can use them.":
        "已登录为 {email}:积分会充入你的账号,账号下的所有 Key 都可以使用。",
    "Or top up a key of any account": "或者为任意账号的某个 Key 充值",
    "The order confirmation goes to {email}.": "订单确认会发送到 {email}。",
    "You are signed in: the plan's credits and its new key go to your account.":
        "你已登录:套餐的积分和新 Key 都会进入你的账号。",
    "Paid: the credits are in your account.": "已支付:积分已充入你的账号。",
    "Open the dashboard": "打开控制台",
    "This account cannot take orders now.": "该账号目前无法下单。",
}
