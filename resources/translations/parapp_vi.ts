<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About ParApp</source>
        <translation>Giới thiệu ParApp</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Phiên bản</translation>
    </message>
    <message>
        <source>Catalogue</source>
        <translation>Danh mục chỉ tiêu</translation>
    </message>
    <message>
        <source>Target set</source>
        <translation>Bộ chỉ tiêu</translation>
    </message>
    <message>
        <source>none</source>
        <translation>chưa có</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Cơ sở dữ liệu</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Thư mục dữ liệu</translation>
    </message>
    <message>
        <source>portable (data beside the program)</source>
        <translation>chế độ di động (dữ liệu nằm cạnh chương trình)</translation>
    </message>
    <message>
        <source>This office&apos;s signing key</source>
        <translation>Khoá ký của văn phòng này</translation>
    </message>
    <message>
        <source>Open the data folder</source>
        <translation>Mở thư mục dữ liệu</translation>
    </message>
    <message>
        <source>Libraries</source>
        <translation>Thư viện</translation>
    </message>
    <message>
        <source>&lt;b&gt;ParApp&lt;/b&gt;: administrative-reform figures for commune, district and province offices: record them offline, check them against the province&apos;s targets, roll them up.</source>
        <translation>&lt;b&gt;ParApp&lt;/b&gt;: số liệu cải cách hành chính cho văn phòng cấp xã, huyện, tỉnh: nhập khi không có mạng, đối chiếu với chỉ tiêu của tỉnh, tổng hợp lên cấp trên.</translation>
    </message>
    <message>
        <source>Shipped with:</source>
        <translation>Kèm theo:</translation>
    </message>
</context>
<context>
    <name>Application</name>
    <message>
        <source>The database {path} is open in another ParApp window. Close that window first, then open it here.</source>
        <translation>Cơ sở dữ liệu {path} đang được mở trong một cửa sổ ParApp khác. Hãy đóng cửa sổ đó trước, rồi mở lại ở đây.</translation>
    </message>
    <message>
        <source>Upgrading {path} for this version of ParApp (a backup is made first)…</source>
        <translation>Đang nâng cấp {path} cho phiên bản ParApp này (đã sao lưu trước)…</translation>
    </message>
    <message>
        <source>&amp;Restore that backup</source>
        <translation>&amp;Khôi phục bản sao lưu đó</translation>
    </message>
    <message>
        <source>Restore from a backup</source>
        <translation>Khôi phục từ bản sao lưu</translation>
    </message>
    <message>
        <source>Put the backup {backup} in the place of {database}? The database as it is now is kept as a backup first.</source>
        <translation>Thay {database} bằng bản sao lưu {backup}? Cơ sở dữ liệu hiện tại được sao lưu lại trước.</translation>
    </message>
    <message>
        <source>Restored {database} from {backup}. The database as it was is kept at {kept}.</source>
        <translation>Đã khôi phục {database} từ {backup}. Cơ sở dữ liệu trước đó được giữ tại {kept}.</translation>
    </message>
    <message>
        <source>Open an office database</source>
        <translation>Mở cơ sở dữ liệu của cơ quan</translation>
    </message>
    <message>
        <source>ParApp databases (*.db);;All files (*)</source>
        <translation>Cơ sở dữ liệu ParApp (*.db);;Tất cả các tệp (*)</translation>
    </message>
    <message>
        <source>Making the demo database…</source>
        <translation>Đang tạo cơ sở dữ liệu mẫu…</translation>
    </message>
</context>
<context>
    <name>CatalogueModel</name>
    <message>
        <source>Name</source>
        <translation>Tên</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Mã</translation>
    </message>
    <message>
        <source>Validation rules</source>
        <translation>Quy tắc kiểm tra</translation>
    </message>
    <message>
        <source>Other data elements</source>
        <translation>Chỉ tiêu nhập liệu khác</translation>
    </message>
</context>
<context>
    <name>CatalogueTab</name>
    <message>
        <source>All levels</source>
        <translation>Mọi cấp</translation>
    </message>
    <message>
        <source>Indicator catalogue</source>
        <translation>Danh mục chỉ số</translation>
    </message>
    <message>
        <source>Version {version}: {indicators} indicators computed from {elements} data elements, checked by {rules} rules.</source>
        <translation>Phiên bản {version}: {indicators} chỉ số được tính từ {elements} chỉ tiêu nhập liệu, kiểm tra bằng {rules} quy tắc.</translation>
    </message>
    <message>
        <source>Choose an item on the left to see what it means, how it is computed and its targets.</source>
        <translation>Chọn một mục bên trái để xem ý nghĩa, cách tính và chỉ tiêu của mục đó.</translation>
    </message>
    <message>
        <source>previous period of</source>
        <translation>kỳ trước của</translation>
    </message>
    <message>
        <source>Ratio: numerator ÷ denominator × 100, in percent.</source>
        <translation>Tỷ lệ: tử số ÷ mẫu số × 100, tính bằng phần trăm.</translation>
    </message>
    <message>
        <source>Percentage: the value of a measured percentage (0–100).</source>
        <translation>Phần trăm: giá trị của một tỷ lệ phần trăm đo được (0–100).</translation>
    </message>
    <message>
        <source>Count: a whole number.</source>
        <translation>Số đếm: một số nguyên.</translation>
    </message>
    <message>
        <source>Rank in a national ranking: 1 is best; never added up over units.</source>
        <translation>Thứ hạng trong bảng xếp hạng toàn quốc: 1 là cao nhất; không cộng dồn giữa các đơn vị.</translation>
    </message>
    <message>
        <source>Change: a count or amount compared with a baseline period.</source>
        <translation>Mức thay đổi: số lượng hoặc giá trị so với kỳ gốc.</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Nhóm</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Loại</translation>
    </message>
    <message>
        <source>Numerator</source>
        <translation>Tử số</translation>
    </message>
    <message>
        <source>Denominator</source>
        <translation>Mẫu số</translation>
    </message>
    <message>
        <source>Formula</source>
        <translation>Công thức</translation>
    </message>
    <message>
        <source>Levels</source>
        <translation>Cấp</translation>
    </message>
    <message>
        <source>Better</source>
        <translation>Đánh giá</translation>
    </message>
    <message>
        <source>Higher values are better.</source>
        <translation>Giá trị càng cao càng tốt.</translation>
    </message>
    <message>
        <source>Lower values are better.</source>
        <translation>Giá trị càng thấp càng tốt.</translation>
    </message>
    <message>
        <source>Decimals shown</source>
        <translation>Số chữ số thập phân</translation>
    </message>
    <message>
        <source>Targets</source>
        <translation>Chỉ tiêu</translation>
    </message>
    <message>
        <source>No target set has a target for this indicator.</source>
        <translation>Chưa bộ chỉ tiêu nào đặt chỉ tiêu cho chỉ số này.</translation>
    </message>
    <message>
        <source>in use</source>
        <translation>đang dùng</translation>
    </message>
    <message>
        <source>Years</source>
        <translation>Năm</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Chỉ tiêu</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Nguồn</translation>
    </message>
    <message>
        <source>applies to the chosen unit and year</source>
        <translation>áp dụng cho đơn vị và năm đang chọn</translation>
    </message>
    <message>
        <source>Note:</source>
        <translation>Ghi chú:</translation>
    </message>
    <message>
        <source>Count: a whole number, 0 or more.</source>
        <translation>Số đếm: số nguyên, từ 0 trở lên.</translation>
    </message>
    <message>
        <source>Percentage: from 0 to 100, decimals allowed.</source>
        <translation>Phần trăm: từ 0 đến 100, được dùng số thập phân.</translation>
    </message>
    <message>
        <source>Rank: a whole number, 1 or more; 1 is best.</source>
        <translation>Thứ hạng: số nguyên, từ 1 trở lên; 1 là cao nhất.</translation>
    </message>
    <message>
        <source>Amount: 0 or more, decimals allowed (money in million VND).</source>
        <translation>Giá trị: từ 0 trở lên, được dùng số thập phân (tiền tính bằng triệu đồng).</translation>
    </message>
    <message>
        <source>Flow: a half-year or a year is the sum of its quarters.</source>
        <translation>Cộng dồn: số liệu 6 tháng hoặc cả năm là tổng các quý.</translation>
    </message>
    <message>
        <source>Opening stock: a half-year or a year takes the value of its first quarter.</source>
        <translation>Số đầu kỳ: số liệu 6 tháng hoặc cả năm lấy giá trị của quý đầu tiên.</translation>
    </message>
    <message>
        <source>Closing stock: a half-year or a year takes the value of its last quarter.</source>
        <translation>Số cuối kỳ: số liệu 6 tháng hoặc cả năm lấy giá trị của quý cuối cùng.</translation>
    </message>
    <message>
        <source>Mean: a half-year or a year is the mean of its quarters, weighted by the respondents when a weight is given.</source>
        <translation>Bình quân: số liệu 6 tháng hoặc cả năm là bình quân các quý, có gia quyền theo số người trả lời khi có quyền số.</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Kiểu số liệu</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>Đơn vị tính</translation>
    </message>
    <message>
        <source>Over time</source>
        <translation>Tổng hợp theo thời gian</translation>
    </message>
    <message>
        <source>Entered</source>
        <translation>Kỳ nhập</translation>
    </message>
    <message>
        <source>Each quarter.</source>
        <translation>Hằng quý.</translation>
    </message>
    <message>
        <source>Once a year.</source>
        <translation>Mỗi năm một lần.</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Quyền số</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Không có</translation>
    </message>
    <message>
        <source>Used by the indicators</source>
        <translation>Được dùng trong các chỉ số</translation>
    </message>
    <message>
        <source>Weight of</source>
        <translation>Là quyền số của</translation>
    </message>
    <message>
        <source>Checked by the rules</source>
        <translation>Được kiểm tra bởi các quy tắc</translation>
    </message>
    <message>
        <source>Error: the figures cannot be submitted until it is corrected.</source>
        <translation>Lỗi: không gửi được số liệu cho đến khi sửa xong.</translation>
    </message>
    <message>
        <source>Warning: the figures can be submitted with a comment explaining them.</source>
        <translation>Cảnh báo: vẫn gửi được số liệu nếu có ghi chú giải thích.</translation>
    </message>
    <message>
        <source>Left</source>
        <translation>Vế trái</translation>
    </message>
    <message>
        <source>Must be</source>
        <translation>So sánh</translation>
    </message>
    <message>
        <source>Right</source>
        <translation>Vế phải</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>Mức độ</translation>
    </message>
    <message>
        <source>Indicators: {indicators}; data elements: {elements}.</source>
        <translation>Chỉ số: {indicators}; chỉ tiêu nhập liệu: {elements}.</translation>
    </message>
    <message>
        <source>Rules check the figures of a unit and period against each other. An error blocks submission; a warning asks for a comment.</source>
        <translation>Các quy tắc đối chiếu số liệu của một đơn vị trong một kỳ với nhau. Lỗi thì không gửi được số liệu; cảnh báo thì cần có ghi chú.</translation>
    </message>
    <message>
        <source>Validation rules</source>
        <translation>Quy tắc kiểm tra</translation>
    </message>
    <message>
        <source>Data elements that no indicator uses directly: weights of means, and figures that rules check.</source>
        <translation>Các chỉ tiêu nhập liệu không được chỉ số nào dùng trực tiếp: quyền số để tính bình quân và số liệu dùng cho các quy tắc kiểm tra.</translation>
    </message>
    <message>
        <source>Other data elements</source>
        <translation>Chỉ tiêu nhập liệu khác</translation>
    </message>
    <message>
        <source>Choose a target set above to see its targets.</source>
        <translation>Chọn một bộ chỉ tiêu ở trên để xem các chỉ tiêu của bộ đó.</translation>
    </message>
    <message>
        <source>Targets of {name}: {count}</source>
        <translation>Chỉ tiêu của {name}: {count}</translation>
    </message>
    <message>
        <source>No target set is in use: the figures are not judged against targets. Choose one below.</source>
        <translation>Chưa áp dụng bộ chỉ tiêu nào: số liệu không được đánh giá theo chỉ tiêu. Hãy chọn một bộ ở dưới.</translation>
    </message>
    <message>
        <source>{mark} In use: {name} ({id})</source>
        <translation>{mark} Đang áp dụng: {name} ({id})</translation>
    </message>
    <message>
        <source>Target set not changed</source>
        <translation>Chưa đổi được bộ chỉ tiêu</translation>
    </message>
    <message>
        <source>Import a target set</source>
        <translation>Nhập bộ chỉ tiêu</translation>
    </message>
    <message>
        <source>Target sets (*.toml)</source>
        <translation>Bộ chỉ tiêu (*.toml)</translation>
    </message>
    <message>
        <source>Target set not imported</source>
        <translation>Chưa nhập được bộ chỉ tiêu</translation>
    </message>
    <message>
        <source>Imported {name} ({id}, {count} targets); it replaces the set with the same ID.</source>
        <translation>Đã nhập {name} ({id}, {count} chỉ tiêu); bộ này thay cho bộ cùng mã.</translation>
    </message>
    <message>
        <source>Imported {name} ({id}, {count} targets).</source>
        <translation>Đã nhập {name} ({id}, {count} chỉ tiêu).</translation>
    </message>
    <message>
        <source>Press &quot;Use this target set&quot; to judge the figures against it.</source>
        <translation>Bấm &quot;Áp dụng bộ chỉ tiêu này&quot; để đánh giá số liệu theo bộ này.</translation>
    </message>
    <message>
        <source>Indicators</source>
        <translation>Chỉ số</translation>
    </message>
    <message>
        <source>Target sets</source>
        <translation>Bộ chỉ tiêu</translation>
    </message>
    <message>
        <source>Search indicators, data elements and rules (name or code)</source>
        <translation>Tìm chỉ số, chỉ tiêu nhập liệu, quy tắc (theo tên hoặc mã)</translation>
    </message>
    <message>
        <source>Use this target set</source>
        <translation>Áp dụng bộ chỉ tiêu này</translation>
    </message>
    <message>
        <source>Judge the figures against the selected target set from now on.</source>
        <translation>Từ nay đánh giá số liệu theo bộ chỉ tiêu đang chọn.</translation>
    </message>
    <message>
        <source>Import from file…</source>
        <translation>Nhập từ tệp…</translation>
    </message>
    <message>
        <source>Read a target set from a TOML file (see the catalogue format).</source>
        <translation>Đọc bộ chỉ tiêu từ tệp TOML (xem định dạng của danh mục).</translation>
    </message>
</context>
<context>
    <name>Crash</name>
    <message>
        <source>ParApp ran into a problem</source>
        <translation>ParApp gặp sự cố</translation>
    </message>
    <message>
        <source>ParApp ran into an unexpected problem. Everything you entered is saved in the database. A report was written to:
{path}
Please send it to whoever supports ParApp in your province.</source>
        <translation>ParApp gặp một sự cố ngoài dự kiến. Mọi số liệu bạn đã nhập đều đã được lưu trong cơ sở dữ liệu. Báo cáo sự cố đã được ghi vào:
{path}
Vui lòng gửi tệp này cho người hỗ trợ ParApp ở tỉnh của bạn.</translation>
    </message>
</context>
<context>
    <name>Dhis2Menu</name>
    <message>
        <source>&amp;DHIS2</source>
        <translation>&amp;DHIS2</translation>
    </message>
    <message>
        <source>&amp;Export this unit and those below for DHIS2…</source>
        <translation>&amp;Xuất đơn vị này và các đơn vị trực thuộc cho DHIS2…</translation>
    </message>
    <message>
        <source>&amp;Import DHIS2 data…</source>
        <translation>&amp;Nhập số liệu DHIS2…</translation>
    </message>
    <message>
        <source>&amp;Send to a DHIS2 server…</source>
        <translation>&amp;Gửi lên máy chủ DHIS2…</translation>
    </message>
    <message>
        <source>DHIS2 &amp;metadata package…</source>
        <translation>Gói &amp;siêu dữ liệu DHIS2…</translation>
    </message>
    <message>
        <source>dataValueSets JSON (*.json)</source>
        <translation>dataValueSets JSON (*.json)</translation>
    </message>
    <message>
        <source>dataValueSets CSV (*.csv)</source>
        <translation>dataValueSets CSV (*.csv)</translation>
    </message>
    <message>
        <source>ADX XML (*.xml)</source>
        <translation>ADX XML (*.xml)</translation>
    </message>
    <message>
        <source>Export for DHIS2</source>
        <translation>Xuất cho DHIS2</translation>
    </message>
    <message>
        <source>Writing the DHIS2 data…</source>
        <translation>Đang ghi số liệu DHIS2…</translation>
    </message>
    <message>
        <source>Written for DHIS2: {path} ({values} value(s), {comments} comment(s), {completions} completed return(s)).</source>
        <translation>Đã ghi cho DHIS2: {path} ({values} giá trị, {comments} ghi chú, {completions} báo cáo đã hoàn thành).</translation>
    </message>
    <message>
        <source>DHIS2 metadata package</source>
        <translation>Gói siêu dữ liệu DHIS2</translation>
    </message>
    <message>
        <source>DHIS2 metadata (*.json)</source>
        <translation>Siêu dữ liệu DHIS2 (*.json)</translation>
    </message>
    <message>
        <source>Writing the DHIS2 metadata package…</source>
        <translation>Đang ghi gói siêu dữ liệu DHIS2…</translation>
    </message>
    <message>
        <source>DHIS2 metadata package written: {path}. Import it in DHIS2 (Import/Export → Metadata import) before the data.</source>
        <translation>Đã ghi gói siêu dữ liệu DHIS2: {path}. Hãy nhập gói này vào DHIS2 (Import/Export → Metadata import) trước khi nhập số liệu.</translation>
    </message>
    <message>
        <source>Import DHIS2 data</source>
        <translation>Nhập số liệu DHIS2</translation>
    </message>
    <message>
        <source>DHIS2 data (*.json *.csv *.xml *.adx);;All files (*)</source>
        <translation>Số liệu DHIS2 (*.json *.csv *.xml *.adx);;Mọi tệp (*)</translation>
    </message>
    <message>
        <source>There is no DHIS2 file to import there.</source>
        <translation>Ở đó không có tệp DHIS2 nào để nhập.</translation>
    </message>
    <message>
        <source>Reading the DHIS2 files…</source>
        <translation>Đang đọc các tệp DHIS2…</translation>
    </message>
    <message>
        <source>{n} value(s) imported from {files} DHIS2 file(s).</source>
        <translation>Đã nhập {n} giá trị từ {files} tệp DHIS2.</translation>
    </message>
</context>
<context>
    <name>Dhis2PreviewDialog</name>
    <message>
        <source>Import DHIS2 data</source>
        <translation>Nhập số liệu DHIS2</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Tệp</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Định dạng</translation>
    </message>
    <message>
        <source>Units and periods</source>
        <translation>Đơn vị và kỳ</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Mới</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>Thay đổi</translation>
    </message>
    <message>
        <source>What happens</source>
        <translation>Kết quả</translation>
    </message>
    <message>
        <source>The database already holds these figures.</source>
        <translation>Cơ sở dữ liệu đã có các số liệu này.</translation>
    </message>
    <message>
        <source>Ready to import</source>
        <translation>Sẵn sàng nhập</translation>
    </message>
    <message>
        <source>{n} unit-period(s) with rule failures</source>
        <translation>{n} đơn vị-kỳ không đạt quy tắc kiểm tra</translation>
    </message>
    <message>
        <source>{n} file(s) refused: nothing can be imported until they are left out or fixed (all files or none).</source>
        <translation>{n} tệp bị từ chối: chưa nhập được gì cho đến khi bỏ các tệp đó ra hoặc sửa chúng (nhập tất cả hoặc không nhập gì).</translation>
    </message>
    <message>
        <source>{values} value(s) new or changed in {files} file(s). Each change is kept in the history with its file&apos;s name.</source>
        <translation>{values} giá trị mới hoặc thay đổi trong {files} tệp. Mỗi thay đổi được ghi vào nhật ký kèm tên tệp.</translation>
    </message>
    <message>
        <source>&amp;Import</source>
        <translation>&amp;Nhập</translation>
    </message>
</context>
<context>
    <name>EntryModel</name>
    <message>
        <source>Item</source>
        <translation>Nội dung</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Giá trị</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Chỉ tiêu</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>Changed outside ParApp</source>
        <translation>Sửa ngoài ParApp</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Lỗi</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Cảnh báo</translation>
    </message>
    <message>
        <source>Computed from the shorter periods; typing a value here stores one for this period.</source>
        <translation>Tổng hợp từ các kỳ ngắn hơn; nhập giá trị vào đây sẽ lưu một giá trị riêng cho kỳ này.</translation>
    </message>
    <message>
        <source>Entered by {who}</source>
        <translation>Người nhập: {who}</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(không có)</translation>
    </message>
    <message>
        <source>This value was changed with another tool, not ParApp: the history says {chained}, the database holds {stored}. Saving a value here records it in the history again.</source>
        <translation>Giá trị này bị sửa bằng công cụ khác, không qua ParApp: lịch sử ghi {chained}, cơ sở dữ liệu đang giữ {stored}. Lưu lại một giá trị ở đây sẽ ghi nó vào lịch sử.</translation>
    </message>
    <message>
        <source>Target: {target}</source>
        <translation>Chỉ tiêu: {target}</translation>
    </message>
    <message>
        <source>Source: {source}</source>
        <translation>Nguồn: {source}</translation>
    </message>
    <message>
        <source>Enter {name}</source>
        <translation>nhập {name}</translation>
    </message>
    <message>
        <source>Enter a value before adding a comment to it.</source>
        <translation>Hãy nhập giá trị trước khi thêm ghi chú.</translation>
    </message>
    <message>
        <source>Comment on {name}</source>
        <translation>ghi chú cho {name}</translation>
    </message>
    <message>
        <source>Nothing was pasted: {reason}</source>
        <translation>Chưa dán được số liệu nào: {reason}</translation>
    </message>
    <message>
        <source>Paste {n} values</source>
        <translation>dán {n} giá trị</translation>
    </message>
</context>
<context>
    <name>EntryTab</name>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Approved by {who} on {when}: the figures are locked. The level above must return them before they can be changed.</source>
        <translation>Đã được {who} duyệt ngày {when}: số liệu đã bị khóa. Cấp trên phải trả lại thì mới sửa được.</translation>
    </message>
    <message>
        <source>Returned by the level above: {reason}</source>
        <translation>Cấp trên đã trả lại: {reason}</translation>
    </message>
    <message>
        <source>Submitted; editing a value puts the figures back to draft.</source>
        <translation>Đã gửi; nếu sửa một giá trị, số liệu sẽ trở lại trạng thái Đang nhập.</translation>
    </message>
    <message>
        <source>{n} value(s) here were changed with another tool, not ParApp (marked in purple); File → Check the history says more.</source>
        <translation>{n} số liệu ở đây bị sửa bằng công cụ khác, không qua ParApp (tô màu tím); Tệp → Kiểm tra lịch sử cho biết thêm.</translation>
    </message>
    <message>
        <source>Checks failing: {n}. The cells involved are marked.</source>
        <translation>Số quy tắc kiểm tra không đạt: {n}. Các ô liên quan đã được đánh dấu.</translation>
    </message>
</context>
<context>
    <name>Exchange</name>
    <message>
        <source>E&amp;xcel</source>
        <translation>&amp;Excel</translation>
    </message>
    <message>
        <source>&amp;Export this unit&apos;s return…</source>
        <translation>&amp;Xuất báo cáo của đơn vị này…</translation>
    </message>
    <message>
        <source>Export the returns of this unit and the units &amp;below…</source>
        <translation>Xuất báo cáo của đơn vị này &amp;và các đơn vị trực thuộc…</translation>
    </message>
    <message>
        <source>Export to the &amp;outbox with an e-mail draft</source>
        <translation>Xuất vào &amp;hộp thư đi kèm thư nháp</translation>
    </message>
    <message>
        <source>Blank &amp;templates for the units below…</source>
        <translation>&amp;Mẫu trống cho các đơn vị trực thuộc…</translation>
    </message>
    <message>
        <source>&amp;Import returns…</source>
        <translation>&amp;Nhập báo cáo…</translation>
    </message>
    <message>
        <source>Import a &amp;folder of returns…</source>
        <translation>Nhập cả &amp;thư mục báo cáo…</translation>
    </message>
    <message>
        <source>&amp;Consolidated workbook…</source>
        <translation>&amp;Bảng tổng hợp…</translation>
    </message>
    <message>
        <source>E-mail address of the level &amp;above…</source>
        <translation>Địa chỉ thư điện tử của &amp;cấp trên…</translation>
    </message>
    <message>
        <source>Open &amp;folder</source>
        <translation>Mở &amp;thư mục</translation>
    </message>
    <message>
        <source>Export the return</source>
        <translation>Xuất báo cáo</translation>
    </message>
    <message>
        <source>Excel workbooks (*.xlsx)</source>
        <translation>Tệp Excel (*.xlsx)</translation>
    </message>
    <message>
        <source>Writing the return…</source>
        <translation>Đang ghi báo cáo…</translation>
    </message>
    <message>
        <source>Return written: {path}</source>
        <translation>Đã ghi báo cáo: {path}</translation>
    </message>
    <message>
        <source>Folder for the returns</source>
        <translation>Thư mục lưu các báo cáo</translation>
    </message>
    <message>
        <source>Writing the returns…</source>
        <translation>Đang ghi các báo cáo…</translation>
    </message>
    <message>
        <source>{n} return(s) written to {folder}</source>
        <translation>Đã ghi {n} báo cáo vào {folder}</translation>
    </message>
    <message>
        <source>The level above has no e-mail address yet. Returns are addressed to:</source>
        <translation>Cấp trên chưa có địa chỉ thư điện tử. Báo cáo được gửi tới:</translation>
    </message>
    <message>
        <source>Writing the return and the e-mail draft…</source>
        <translation>Đang ghi báo cáo và thư nháp…</translation>
    </message>
    <message>
        <source>In the outbox: {path} — open it in your mail program to send it when the connection is back.</source>
        <translation>Đã đưa vào hộp thư đi: {path} — mở tệp này bằng chương trình thư điện tử để gửi khi có kết nối mạng.</translation>
    </message>
    <message>
        <source>Folder for the blank templates</source>
        <translation>Thư mục lưu các mẫu trống</translation>
    </message>
    <message>
        <source>Writing blank templates…</source>
        <translation>Đang ghi các mẫu trống…</translation>
    </message>
    <message>
        <source>{n} blank template(s) written to {folder}</source>
        <translation>Đã ghi {n} mẫu trống vào {folder}</translation>
    </message>
    <message>
        <source>Consolidated workbook</source>
        <translation>Bảng tổng hợp</translation>
    </message>
    <message>
        <source>Rolling up and writing the consolidated workbook…</source>
        <translation>Đang tổng hợp và ghi bảng tổng hợp…</translation>
    </message>
    <message>
        <source>Consolidated workbook written: {path}</source>
        <translation>Đã ghi bảng tổng hợp: {path}</translation>
    </message>
    <message>
        <source>E-mail of the level above</source>
        <translation>Thư điện tử của cấp trên</translation>
    </message>
    <message>
        <source>Returns are addressed to:</source>
        <translation>Báo cáo được gửi tới:</translation>
    </message>
    <message>
        <source>Import returns</source>
        <translation>Nhập báo cáo</translation>
    </message>
    <message>
        <source>Import a folder of returns</source>
        <translation>Nhập cả thư mục báo cáo</translation>
    </message>
    <message>
        <source>There is no Excel workbook to import there.</source>
        <translation>Không có tệp Excel nào để nhập ở đó.</translation>
    </message>
    <message>
        <source>Reading the returns…</source>
        <translation>Đang đọc các báo cáo…</translation>
    </message>
    <message>
        <source>{n} value(s) imported from {files} file(s).</source>
        <translation>Đã nhập {n} giá trị từ {files} tệp.</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <source>{commune} ({district})</source>
        <translation>{commune} ({district})</translation>
    </message>
    <message>
        <source>None (choose or import one later)</source>
        <translation>Không có (chọn hoặc nhập sau)</translation>
    </message>
    <message>
        <source>{document}, {issuer}, {date}; years {first}–{last}</source>
        <translation>{document}, {issuer}, {date}; giai đoạn {first}–{last}</translation>
    </message>
    <message>
        <source>Where to keep the office database</source>
        <translation>Nơi lưu cơ sở dữ liệu của cơ quan</translation>
    </message>
    <message>
        <source>ParApp databases (*.db);;All files (*)</source>
        <translation>Cơ sở dữ liệu ParApp (*.db);;Tất cả các tệp (*)</translation>
    </message>
    <message>
        <source>Choose your province from the list.</source>
        <translation>Chọn tỉnh của bạn trong danh sách.</translation>
    </message>
    <message>
        <source>Choose the level of this office: province, district or commune.</source>
        <translation>Chọn cấp của cơ quan: tỉnh, huyện hoặc xã.</translation>
    </message>
    <message>
        <source>Choose this office&apos;s unit from the list (type part of its name to search).</source>
        <translation>Chọn đơn vị của cơ quan trong danh sách (gõ một phần tên để tìm).</translation>
    </message>
    <message>
        <source>Type the officer&apos;s name; it is recorded with every figure entered.</source>
        <translation>Nhập họ tên cán bộ; tên này được ghi kèm mọi số liệu được nhập.</translation>
    </message>
    <message>
        <source>Choose where to keep the database file.</source>
        <translation>Chọn nơi lưu tệp cơ sở dữ liệu.</translation>
    </message>
    <message>
        <source>⚠ {path} is a folder. Add a file name, for example parapp.db.</source>
        <translation>⚠ {path} là một thư mục. Hãy thêm tên tệp, ví dụ parapp.db.</translation>
    </message>
    <message>
        <source>⚠ A file already exists at {path}. ParApp never overwrites a file: choose another name, or cancel and open that database instead.</source>
        <translation>⚠ Đã có tệp tại {path}. ParApp không bao giờ ghi đè tệp: hãy chọn tên khác, hoặc bấm Hủy rồi mở cơ sở dữ liệu đó.</translation>
    </message>
    <message>
        <source>The database will be created at {path}.</source>
        <translation>Cơ sở dữ liệu sẽ được tạo tại {path}.</translation>
    </message>
    <message>
        <source>Creating the office database…</source>
        <translation>Đang tạo cơ sở dữ liệu của cơ quan…</translation>
    </message>
    <message>
        <source>ParApp</source>
        <translation>ParApp</translation>
    </message>
    <message>
        <source>Type part of the name to search</source>
        <translation>Gõ một phần tên để tìm</translation>
    </message>
    <message>
        <source>There are no districts in the two-tier structure.</source>
        <translation>Mô hình chính quyền hai cấp không có cấp huyện.</translation>
    </message>
</context>
<context>
    <name>FirstRunForm</name>
    <message>
        <source>Set up ParApp</source>
        <translation>Thiết lập ParApp</translation>
    </message>
    <message>
        <source>ParApp records your office&apos;s administrative-reform figures and checks them against your province&apos;s targets, without needing the internet. Your database stays on this computer: nothing is sent anywhere unless you export it yourself.</source>
        <translation>ParApp ghi nhận số liệu cải cách hành chính của cơ quan bạn và đối chiếu với chỉ tiêu của tỉnh, không cần kết nối Internet. Cơ sở dữ liệu nằm trên máy tính này: không có gì được gửi đi, trừ khi bạn tự xuất dữ liệu.</translation>
    </message>
    <message>
        <source>&amp;Province</source>
        <translation>&amp;Tỉnh</translation>
    </message>
    <message>
        <source>Type to search, with or without diacritics (e.g. ha tinh)</source>
        <translation>Gõ để tìm, có dấu hoặc không dấu (ví dụ: ha tinh)</translation>
    </message>
    <message>
        <source>Search the provinces</source>
        <translation>Tìm tỉnh</translation>
    </message>
    <message>
        <source>Provinces</source>
        <translation>Danh sách tỉnh</translation>
    </message>
    <message>
        <source>&amp;Structure of local government</source>
        <translation>Mô &amp;hình chính quyền địa phương</translation>
    </message>
    <message>
        <source>Three tiers: province, district, commune (before July 2025)</source>
        <translation>Ba cấp: tỉnh, huyện, xã (trước tháng 7/2025)</translation>
    </message>
    <message>
        <source>Two tiers: province, commune (since July 2025)</source>
        <translation>Hai cấp: tỉnh, xã (từ tháng 7/2025)</translation>
    </message>
    <message>
        <source>This &amp;office</source>
        <translation>Cơ &amp;quan này</translation>
    </message>
    <message>
        <source>Level:</source>
        <translation>Cấp:</translation>
    </message>
    <message>
        <source>Province</source>
        <translation>Tỉnh</translation>
    </message>
    <message>
        <source>District</source>
        <translation>Huyện</translation>
    </message>
    <message>
        <source>Commune</source>
        <translation>Xã</translation>
    </message>
    <message>
        <source>&amp;Unit:</source>
        <translation>Đơn &amp;vị:</translation>
    </message>
    <message>
        <source>&amp;Target set:</source>
        <translation>&amp;Bộ chỉ tiêu:</translation>
    </message>
    <message>
        <source>Officer&apos;s &amp;name:</source>
        <translation>Họ tê&amp;n cán bộ:</translation>
    </message>
    <message>
        <source>Your full name, as it will appear in the records</source>
        <translation>Họ và tên đầy đủ của bạn, sẽ được ghi trong nhật ký</translation>
    </message>
    <message>
        <source>Database &amp;file:</source>
        <translation>Tệp cơ sở &amp;dữ liệu:</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Chọn…</translation>
    </message>
    <message>
        <source>Open the de&amp;mo database</source>
        <translation>Mở cơ sở dữ liệu &amp;mẫu</translation>
    </message>
    <message>
        <source>Try ParApp on sample figures for Hà Tĩnh before setting up your own office</source>
        <translation>Dùng thử ParApp với số liệu mẫu của Hà Tĩnh trước khi thiết lập cho cơ quan của bạn</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <source>(empty)</source>
        <translation>(trống)</translation>
    </message>
    <message>
        <source>(removed)</source>
        <translation>(đã xóa)</translation>
    </message>
    <message>
        <source>Before: {comment}</source>
        <translation>Trước đó: {comment}</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Target set</source>
        <translation>Bộ chỉ tiêu</translation>
    </message>
    <message>
        <source>Unit name</source>
        <translation>Tên đơn vị</translation>
    </message>
    <message>
        <source>Unit added</source>
        <translation>Thêm đơn vị</translation>
    </message>
    <message>
        <source>Unit retired</source>
        <translation>Giải thể đơn vị</translation>
    </message>
    <message>
        <source>Carried into the two-tier structure</source>
        <translation>Chuyển sang mô hình hai cấp</translation>
    </message>
    <message>
        <source>Shares of a divided commune</source>
        <translation>Tỷ lệ chia của xã, phường bị chia tách</translation>
    </message>
    <message>
        <source>default successor</source>
        <translation>đơn vị kế thừa mặc định</translation>
    </message>
    <message>
        <source>Old province&apos;s database taken in</source>
        <translation>Nhận cơ sở dữ liệu của tỉnh cũ</translation>
    </message>
    <message>
        <source>Return accepted without a sound signature</source>
        <translation>Nhận báo cáo không có chữ ký hợp lệ</translation>
    </message>
    <message>
        <source>Signing key of an office</source>
        <translation>Khoá ký của một văn phòng</translation>
    </message>
    <message>
        <source>Sent to DHIS2</source>
        <translation>Đã gửi lên DHIS2</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Kỳ báo cáo</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Người thực hiện</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Nội dung</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Trước</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Sau</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
    <message>
        <source>Source file</source>
        <translation>Tệp nguồn</translation>
    </message>
</context>
<context>
    <name>HistoryTab</name>
    <message>
        <source>No changes yet.</source>
        <translation>Chưa có thay đổi nào.</translation>
    </message>
    <message>
        <source>Changes: {count}</source>
        <translation>Số thay đổi: {count}</translation>
    </message>
    <message>
        <source>Changes shown: {shown} of {count}</source>
        <translation>Đang hiện {shown}/{count} thay đổi</translation>
    </message>
    <message>
        <source>Filter by who, what or comment</source>
        <translation>Lọc theo người thực hiện, nội dung hoặc ghi chú</translation>
    </message>
    <message>
        <source>All changes</source>
        <translation>Mọi thay đổi</translation>
    </message>
    <message>
        <source>Values</source>
        <translation>Giá trị</translation>
    </message>
    <message>
        <source>Comments</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>All periods</source>
        <translation>Mọi kỳ báo cáo</translation>
    </message>
    <message>
        <source>Show the changes of this unit in every period, not only the chosen one.</source>
        <translation>Hiện các thay đổi của đơn vị này trong mọi kỳ báo cáo, không chỉ kỳ đang chọn.</translation>
    </message>
</context>
<context>
    <name>ImportPreviewDialog</name>
    <message>
        <source>Import returns: preview</source>
        <translation>Nhập báo cáo: xem trước</translation>
    </message>
    <message>
        <source>{files} file(s) read; {ok} can be imported, {refused} refused. Tick the files to apply: they are applied together, or not at all.</source>
        <translation>Đã đọc {files} tệp; {ok} tệp nhập được, {refused} tệp bị từ chối. Đánh dấu các tệp cần nhập: các tệp được nhập cùng một lúc, hoặc không tệp nào.</translation>
    </message>
    <message>
        <source>Select all</source>
        <translation>Chọn tất cả</translation>
    </message>
    <message>
        <source>Select none</source>
        <translation>Bỏ chọn tất cả</translation>
    </message>
    <message>
        <source>Accept a file that is not soundly signed</source>
        <translation>Nhận một tệp không có chữ ký hợp lệ</translation>
    </message>
    <message>
        <source>{file}: {verdict}

Why accept it? (kept in the history)</source>
        <translation>{file}: {verdict}

Vì sao vẫn nhận tệp này? (được ghi vào lịch sử)</translation>
    </message>
    <message>
        <source>blank template</source>
        <translation>mẫu trống</translation>
    </message>
    <message>
        <source>return</source>
        <translation>báo cáo</translation>
    </message>
    <message>
        <source>Accepted with the reason: {reason}</source>
        <translation>Đã chấp nhận với lý do: {reason}</translation>
    </message>
    <message>
        <source>Tick it to accept it anyway: you will be asked why.</source>
        <translation>Đánh dấu chọn để vẫn nhận tệp: ParApp sẽ hỏi lý do.</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>Thay đổi</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Mới</translation>
    </message>
    <message>
        <source>Comments</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>The database already holds these figures.</source>
        <translation>Cơ sở dữ liệu đã có đúng các số liệu này.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Find a unit…</source>
        <translation>Tìm đơn vị…</translation>
    </message>
    <message>
        <source>Data entry</source>
        <translation>Nhập liệu</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Tổng hợp</translation>
    </message>
    <message>
        <source>Catalogue and targets</source>
        <translation>Danh mục và chỉ tiêu</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Nhật ký</translation>
    </message>
    <message>
        <source>This database follows the three-tier structure in force until 30 June 2025. &lt;a href=&quot;reorganise&quot;&gt;Carry it into the two-tier structure…&lt;/a&gt;</source>
        <translation>Cơ sở dữ liệu này theo mô hình ba cấp áp dụng đến ngày 30/6/2025. &lt;a href=&quot;reorganise&quot;&gt;Chuyển sang mô hình hai cấp…&lt;/a&gt;</translation>
    </message>
    <message>
        <source>{officer} · {path}</source>
        <translation>{officer} · {path}</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Tệp</translation>
    </message>
    <message>
        <source>&amp;New office database…</source>
        <translation>Tạo &amp;cơ sở dữ liệu mới…</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>&amp;Mở…</translation>
    </message>
    <message>
        <source>Open the &amp;demo database</source>
        <translation>Mở cơ sở &amp;dữ liệu mẫu</translation>
    </message>
    <message>
        <source>&amp;Back up now</source>
        <translation>&amp;Sao lưu ngay</translation>
    </message>
    <message>
        <source>&amp;Restore from a backup…</source>
        <translation>&amp;Khôi phục từ bản sao lưu…</translation>
    </message>
    <message>
        <source>Second backup &amp;folder (USB stick)…</source>
        <translation>Thư mục sao lưu thứ hai (&amp;USB)…</translation>
    </message>
    <message>
        <source>Check the &amp;history…</source>
        <translation>Kiểm tra &amp;lịch sử…</translation>
    </message>
    <message>
        <source>Carry into the &amp;two-tier structure (1 July 2025)…</source>
        <translation>Chuyển sang mô hình &amp;hai cấp (từ 01/7/2025)…</translation>
    </message>
    <message>
        <source>Divided &amp;communes of the 2025 reorganisation…</source>
        <translation>&amp;Xã, phường bị chia tách khi sắp xếp năm 2025…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Thoát</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Sửa</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Hoàn tác</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Làm lại</translation>
    </message>
    <message>
        <source>&amp;Workflow</source>
        <translation>&amp;Quy trình</translation>
    </message>
    <message>
        <source>&amp;Submit</source>
        <translation>&amp;Gửi</translation>
    </message>
    <message>
        <source>&amp;Approve</source>
        <translation>&amp;Duyệt</translation>
    </message>
    <message>
        <source>&amp;Return with a reason…</source>
        <translation>&amp;Trả lại kèm lý do…</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Ngôn ngữ</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Trợ &amp;giúp</translation>
    </message>
    <message>
        <source>&amp;About ParApp</source>
        <translation>&amp;Giới thiệu ParApp</translation>
    </message>
    <message>
        <source>Period and workflow</source>
        <translation>Kỳ báo cáo và quy trình</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Hoàn tác</translation>
    </message>
    <message>
        <source>Undo: {what}</source>
        <translation>Hoàn tác: {what}</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Làm lại</translation>
    </message>
    <message>
        <source>Redo: {what}</source>
        <translation>Làm lại: {what}</translation>
    </message>
    <message>
        <source>portable (data beside the program)</source>
        <translation>chế độ di động (dữ liệu nằm cạnh chương trình)</translation>
    </message>
    <message>
        <source>ParApp</source>
        <translation>ParApp</translation>
    </message>
    <message>
        <source>Submit with warnings?</source>
        <translation>Gửi khi còn cảnh báo?</translation>
    </message>
    <message>
        <source>The figures have {n} warning(s):

{warnings}

Submit them all the same?</source>
        <translation>Số liệu còn {n} cảnh báo:

{warnings}

Vẫn gửi số liệu?</translation>
    </message>
    <message>
        <source>Submitted.</source>
        <translation>Đã gửi.</translation>
    </message>
    <message>
        <source>Approve the figures of {unit} for {period}? They will be locked until the level above returns them.</source>
        <translation>Duyệt số liệu {period} của {unit}? Số liệu sẽ bị khóa cho đến khi cấp trên trả lại.</translation>
    </message>
    <message>
        <source>You ({officer}) entered these figures last: approving them yourself means nobody else has checked them.</source>
        <translation>Chính bạn ({officer}) là người nhập số liệu này sau cùng: tự duyệt nghĩa là chưa có ai khác kiểm tra.</translation>
    </message>
    <message>
        <source>Approve the figures?</source>
        <translation>Duyệt số liệu?</translation>
    </message>
    <message>
        <source>Approved and locked.</source>
        <translation>Đã duyệt và khóa số liệu.</translation>
    </message>
    <message>
        <source>Return the figures</source>
        <translation>Trả lại số liệu</translation>
    </message>
    <message>
        <source>Why are the figures returned? The unit will read this.</source>
        <translation>Lý do trả lại số liệu (đơn vị sẽ đọc được nội dung này):</translation>
    </message>
    <message>
        <source>Returned.</source>
        <translation>Đã trả lại.</translation>
    </message>
    <message>
        <source>Backed up to {path}</source>
        <translation>Đã sao lưu vào {path}</translation>
    </message>
    <message>
        <source>A second folder for the backups (a USB stick)</source>
        <translation>Thư mục sao lưu thứ hai (USB)</translation>
    </message>
    <message>
        <source>Check the whole history…</source>
        <translation>Kiểm tra toàn bộ lịch sử…</translation>
    </message>
    <message>
        <source>The history</source>
        <translation>Lịch sử thay đổi</translation>
    </message>
    <message>
        <source>Checking the history…</source>
        <translation>Đang kiểm tra lịch sử…</translation>
    </message>
</context>
<context>
    <name>OverviewModel</name>
    <message>
        <source>{reported} of the {expected} units below {unit} have entered figures for this period.</source>
        <translation>{reported}/{expected} đơn vị trực thuộc {unit} đã nhập số liệu kỳ này.</translation>
    </message>
    <message>
        <source>Has figures</source>
        <translation>Đã có số liệu</translation>
    </message>
    <message>
        <source>{unit}: figures entered for this period ({status}).</source>
        <translation>{unit}: đã nhập số liệu kỳ này ({status}).</translation>
    </message>
    <message>
        <source>{unit}: figures entered for parts of this period.</source>
        <translation>{unit}: đã nhập số liệu cho một phần của kỳ này.</translation>
    </message>
    <message>
        <source>{unit}: no figures entered for this period yet.</source>
        <translation>{unit}: chưa nhập số liệu kỳ này.</translation>
    </message>
    <message>
        <source>{reported}/{expected}, on time {on_time}</source>
        <translation>{reported}/{expected}, đúng hạn {on_time}</translation>
    </message>
    <message>
        <source>{unit}: no return submitted for this period (due {due}).</source>
        <translation>{unit}: chưa gửi báo cáo kỳ này (hạn nộp {due}).</translation>
    </message>
    <message>
        <source>{unit}: submitted on {day}, on time (due {due}).</source>
        <translation>{unit}: gửi ngày {day}, đúng hạn (hạn nộp {due}).</translation>
    </message>
    <message>
        <source>{unit}: submitted on {day}, late (due {due}).</source>
        <translation>{unit}: gửi ngày {day}, quá hạn (hạn nộp {due}).</translation>
    </message>
    <message>
        <source>The date is the one the imported return carries.</source>
        <translation>Ngày gửi là ngày ghi trên báo cáo đã nhập.</translation>
    </message>
    <message>
        <source>Returns of the units below {unit}, submitted or approved, of those expected; on time: first submitted by the due date:</source>
        <translation>Báo cáo của các đơn vị trực thuộc {unit} đã gửi hoặc đã duyệt trên tổng số phải báo cáo; đúng hạn: gửi lần đầu không muộn hơn hạn nộp:</translation>
    </message>
    <message>
        <source>{unit}, with all units below</source>
        <translation>{unit}, gồm mọi đơn vị trực thuộc</translation>
    </message>
    <message>
        <source>Value: {value}</source>
        <translation>Giá trị: {value}</translation>
    </message>
    <message>
        <source>No figures for this period.</source>
        <translation>Chưa có số liệu kỳ này.</translation>
    </message>
    <message>
        <source>Target: {target}</source>
        <translation>Chỉ tiêu: {target}</translation>
    </message>
    <message>
        <source>Source: {source}</source>
        <translation>Nguồn: {source}</translation>
    </message>
    <message>
        <source>No target for this indicator at this level and year.</source>
        <translation>Không có chỉ tiêu cho chỉ số này ở cấp và năm này.</translation>
    </message>
    <message>
        <source>Reported</source>
        <translation>Đã báo cáo</translation>
    </message>
    <message>
        <source>Units below that entered figures for the period, of those expected; for a unit with nothing below, its own return.</source>
        <translation>Số đơn vị trực thuộc đã nhập số liệu kỳ này trên tổng số phải báo cáo; với đơn vị không có đơn vị trực thuộc: tình trạng báo cáo của chính đơn vị đó.</translation>
    </message>
    <message>
        <source>On time</source>
        <translation>Đúng hạn</translation>
    </message>
    <message>
        <source>Returns submitted or approved, and of those first submitted by the due date ({due}); for a unit with units below, theirs counted.</source>
        <translation>Báo cáo đã gửi hoặc đã duyệt, và trong đó số gửi lần đầu không muộn hơn hạn nộp ({due}); với đơn vị có đơn vị trực thuộc: đếm báo cáo của các đơn vị đó.</translation>
    </message>
    <message>
        <source>Total: {unit}</source>
        <translation>Tổng: {unit}</translation>
    </message>
    <message>
        <source>{unit} ({code}): its own figures and those of every unit below it.</source>
        <translation>{unit} ({code}): số liệu của chính đơn vị và của mọi đơn vị trực thuộc.</translation>
    </message>
    <message>
        <source>Double-click to open this unit.</source>
        <translation>Nhấp đúp để mở đơn vị này.</translation>
    </message>
    <message>
        <source>Retired unit; its figures still count.</source>
        <translation>Đơn vị đã giải thể; số liệu của đơn vị vẫn được tính.</translation>
    </message>
</context>
<context>
    <name>OverviewTab</name>
    <message>
        <source>Quarters and half-years not yet at their year&apos;s target are at risk, never missed. Double-click a unit to open it.</source>
        <translation>Quý và 6 tháng chưa đạt chỉ tiêu năm chỉ bị đánh giá “Có nguy cơ không đạt”, không bao giờ “Không đạt”. Nhấp đúp vào một đơn vị để mở.</translation>
    </message>
    <message>
        <source>The value meets every target of the indicator.</source>
        <translation>Giá trị đạt mọi chỉ tiêu của chỉ số.</translation>
    </message>
    <message>
        <source>Part of a year below the year&apos;s target, or within the margin of it.</source>
        <translation>Quý hoặc 6 tháng chưa đạt chỉ tiêu năm, hoặc chỉ vừa sát chỉ tiêu.</translation>
    </message>
    <message>
        <source>The year&apos;s value does not meet a target.</source>
        <translation>Giá trị cả năm không đạt một chỉ tiêu.</translation>
    </message>
    <message>
        <source>No figures, or not enough to judge (e.g. last year&apos;s figures are needed).</source>
        <translation>Không có số liệu, hoặc chưa đủ để đánh giá (ví dụ: cần số liệu năm trước).</translation>
    </message>
    <message>
        <source>The target set has no target for this indicator, level and year.</source>
        <translation>Bộ chỉ tiêu không có chỉ tiêu cho chỉ số, cấp và năm này.</translation>
    </message>
    <message>
        <source>&amp;Indicator:</source>
        <translation>&amp;Chỉ số:</translation>
    </message>
    <message>
        <source>This unit has no units below; see its figures in Data entry.</source>
        <translation>Đơn vị này không có đơn vị trực thuộc; xem số liệu của đơn vị ở thẻ Nhập liệu.</translation>
    </message>
    <message>
        <source>Working out the overview of {unit}, {period}…</source>
        <translation>Đang tổng hợp số liệu của {unit}, {period}…</translation>
    </message>
    <message>
        <source>Working out {unit}, {period}…</source>
        <translation>Đang tính {unit}, {period}…</translation>
    </message>
    <message>
        <source>Update cancelled; still showing {unit}, {period}.</source>
        <translation>Đã hủy cập nhật; vẫn hiển thị {unit}, {period}.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Đã hủy.</translation>
    </message>
    <message>
        <source>{unit}: the units below, {period}</source>
        <translation>{unit}: các đơn vị trực thuộc, {period}</translation>
    </message>
    <message>
        <source>{unit}, {period}</source>
        <translation>{unit}, {period}</translation>
    </message>
    <message>
        <source>{level}: Reported {reported}/{expected}, on time {on_time}</source>
        <translation>{level}: Đã báo cáo {reported}/{expected}, đúng hạn {on_time}</translation>
    </message>
    <message>
        <source>due {due}</source>
        <translation>hạn nộp {due}</translation>
    </message>
    <message>
        <source>{indicator} — {unit}: no figures yet</source>
        <translation>{indicator} — {unit}: chưa có số liệu</translation>
    </message>
    <message>
        <source>all units below</source>
        <translation>mọi đơn vị trực thuộc</translation>
    </message>
    <message>
        <source>own figures</source>
        <translation>số liệu riêng của đơn vị</translation>
    </message>
    <message>
        <source>* before the unit existed: its predecessors&apos; figures combined</source>
        <translation>* trước khi đơn vị được thành lập: số liệu gộp từ các đơn vị cũ</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Giá trị</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Chỉ tiêu</translation>
    </message>
    <message>
        <source>Target: {target}</source>
        <translation>Chỉ tiêu: {target}</translation>
    </message>
</context>
<context>
    <name>PeriodPicker</name>
    <message>
        <source>Period:</source>
        <translation>Kỳ báo cáo:</translation>
    </message>
    <message>
        <source>Year</source>
        <translation>Năm</translation>
    </message>
    <message>
        <source>First half</source>
        <translation>6 tháng đầu năm</translation>
    </message>
    <message>
        <source>Second half</source>
        <translation>6 tháng cuối năm</translation>
    </message>
    <message>
        <source>Quarter I</source>
        <translation>Quý I</translation>
    </message>
    <message>
        <source>Quarter II</source>
        <translation>Quý II</translation>
    </message>
    <message>
        <source>Quarter III</source>
        <translation>Quý III</translation>
    </message>
    <message>
        <source>Quarter IV</source>
        <translation>Quý IV</translation>
    </message>
    <message>
        <source>Part of the year</source>
        <translation>Kỳ trong năm</translation>
    </message>
</context>
<context>
    <name>PreviewModel</name>
    <message>
        <source>File</source>
        <translation>Tệp</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>Đơn vị</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Kỳ báo cáo</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Mới</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>Thay đổi</translation>
    </message>
    <message>
        <source>Checks</source>
        <translation>Kiểm tra</translation>
    </message>
    <message>
        <source>Remarks</source>
        <translation>Lưu ý</translation>
    </message>
    <message>
        <source>Signature</source>
        <translation>Chữ ký</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>Có chữ ký</translation>
    </message>
    <message>
        <source>Signed (key seen for the first time)</source>
        <translation>Có chữ ký (khoá lần đầu thấy)</translation>
    </message>
    <message>
        <source>Edited after export</source>
        <translation>Bị sửa sau khi xuất</translation>
    </message>
    <message>
        <source>Another key</source>
        <translation>Khoá khác</translation>
    </message>
    <message>
        <source>Signed by another office</source>
        <translation>Do văn phòng khác ký</translation>
    </message>
    <message>
        <source>No signature</source>
        <translation>Không có chữ ký</translation>
    </message>
    <message>
        <source>Filled in Excel, no signature</source>
        <translation>Điền bằng Excel, không có chữ ký</translation>
    </message>
    <message>
        <source>{n} failing</source>
        <translation>{n} không đạt</translation>
    </message>
    <message>
        <source>Nothing new</source>
        <translation>Không có gì mới</translation>
    </message>
    <message>
        <source>Accepted: {reason}</source>
        <translation>Đã chấp nhận: {reason}</translation>
    </message>
</context>
<context>
    <name>QAbstractFileIconProvider</name>
    <message>
        <source>Folder</source>
        <translation>Thư mục</translation>
    </message>
    <message>
        <source>Drive</source>
        <translation>Ổ đĩa</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Tệp</translation>
    </message>
</context>
<context>
    <name>QFileDialog</name>
    <message>
        <source>Look in:</source>
        <translation>Tìm trong:</translation>
    </message>
    <message>
        <source>&amp;Look in:</source>
        <translation>&amp;Tìm trong:</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>&amp;Loại tệp:</translation>
    </message>
    <message>
        <source>Directories</source>
        <translation>Thư mục</translation>
    </message>
    <message>
        <source>File &amp;name:</source>
        <translation>&amp;Tên tệp:</translation>
    </message>
    <message>
        <source>Files of type:</source>
        <translation>Loại tệp:</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>&amp;Mở</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Lưu</translation>
    </message>
    <message>
        <source>&amp;Choose</source>
        <translation>&amp;Chọn</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Mở</translation>
    </message>
    <message>
        <source>Save As</source>
        <translation>Lưu thành</translation>
    </message>
    <message>
        <source>Find Directory</source>
        <translation>Chọn thư mục</translation>
    </message>
    <message>
        <source>Directory:</source>
        <translation>Thư mục:</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Quay lại</translation>
    </message>
    <message>
        <source>Forward</source>
        <translation>Tiến tới</translation>
    </message>
    <message>
        <source>Parent Directory</source>
        <translation>Thư mục cha</translation>
    </message>
    <message>
        <source>Create New Folder</source>
        <translation>Tạo thư mục mới</translation>
    </message>
    <message>
        <source>New Folder</source>
        <translation>Thư mục mới</translation>
    </message>
    <message>
        <source>List View</source>
        <translation>Dạng danh sách</translation>
    </message>
    <message>
        <source>Detail View</source>
        <translation>Dạng chi tiết</translation>
    </message>
    <message>
        <source>All Files (*)</source>
        <translation>Tất cả các tệp (*)</translation>
    </message>
    <message>
        <source>Recent Places</source>
        <translation>Vị trí gần đây</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Xóa</translation>
    </message>
    <message>
        <source>&amp;Rename</source>
        <translation>Đổi &amp;tên</translation>
    </message>
    <message>
        <source>Show &amp;hidden files</source>
        <translation>&amp;Hiện tệp ẩn</translation>
    </message>
    <message>
        <source>%1 already exists.
Do you want to replace it?</source>
        <translation>%1 đã tồn tại.
Bạn có muốn thay thế tệp này không?</translation>
    </message>
</context>
<context>
    <name>QFileSystemModel</name>
    <message>
        <source>Name</source>
        <translation>Tên</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Kích thước</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Loại</translation>
    </message>
    <message>
        <source>Date Modified</source>
        <translation>Ngày sửa đổi</translation>
    </message>
    <message>
        <source>My Computer</source>
        <translation>Máy tính của tôi</translation>
    </message>
    <message>
        <source>Computer</source>
        <translation>Máy tính</translation>
    </message>
</context>
<context>
    <name>QLineEdit</name>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Hoàn tác</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Làm lại</translation>
    </message>
    <message>
        <source>Cu&amp;t</source>
        <translation>&amp;Cắt</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Sao chép</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>&amp;Dán</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <source>Select All</source>
        <translation>Chọn tất cả</translation>
    </message>
</context>
<context>
    <name>QMessageBox</name>
    <message>
        <source>Show Details...</source>
        <translation>Hiện chi tiết...</translation>
    </message>
    <message>
        <source>Hide Details...</source>
        <translation>Ẩn chi tiết...</translation>
    </message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message>
        <source>OK</source>
        <translation>Đồng ý</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Save All</source>
        <translation>Lưu tất cả</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Mở</translation>
    </message>
    <message>
        <source>&amp;Yes</source>
        <translation>&amp;Có</translation>
    </message>
    <message>
        <source>Yes to &amp;All</source>
        <translation>Có cho &amp;tất cả</translation>
    </message>
    <message>
        <source>&amp;No</source>
        <translation>&amp;Không</translation>
    </message>
    <message>
        <source>N&amp;o to All</source>
        <translation>K&amp;hông cho tất cả</translation>
    </message>
    <message>
        <source>Abort</source>
        <translation>Hủy bỏ</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Thử lại</translation>
    </message>
    <message>
        <source>Ignore</source>
        <translation>Bỏ qua</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Bỏ thay đổi</translation>
    </message>
    <message>
        <source>Don&apos;t Save</source>
        <translation>Không lưu</translation>
    </message>
    <message>
        <source>Close without Saving</source>
        <translation>Đóng không lưu</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>Trợ giúp</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Áp dụng</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Đặt lại</translation>
    </message>
    <message>
        <source>Restore Defaults</source>
        <translation>Khôi phục mặc định</translation>
    </message>
</context>
<context>
    <name>QProgressDialog</name>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
</context>
<context>
    <name>QWidgetTextControl</name>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Hoàn tác</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Làm lại</translation>
    </message>
    <message>
        <source>Cu&amp;t</source>
        <translation>&amp;Cắt</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Sao chép</translation>
    </message>
    <message>
        <source>Copy &amp;Link Location</source>
        <translation>Sao chép địa chỉ liên &amp;kết</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>&amp;Dán</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <source>Select All</source>
        <translation>Chọn tất cả</translation>
    </message>
</context>
<context>
    <name>ReorganiseDialog</name>
    <message>
        <source>The two-tier structure of 1 July 2025</source>
        <translation>Mô hình chính quyền hai cấp từ 01/7/2025</translation>
    </message>
    <message>
        <source>Since 1 July 2025 there are no districts, and most communes and many provinces were merged. This assistant carries this database into the new structure, following the official list: the old units keep every figure, status and history entry exactly as they are and end on 30 June 2025; the new province and communes are added from 1 July 2025, each linked to the old units it was made of, so that their figures before July 2025 are the old units&apos; figures combined. Nothing is changed or removed, and if anything goes wrong nothing is written.</source>
        <translation>Từ ngày 01/7/2025 không còn cấp huyện; phần lớn xã, phường và nhiều tỉnh đã được sắp xếp, hợp nhất. Trợ lý này chuyển cơ sở dữ liệu sang mô hình mới theo danh sách chính thức: các đơn vị cũ giữ nguyên mọi số liệu, trạng thái và nhật ký, kết thúc ngày 30/6/2025; tỉnh và các xã, phường mới được thêm từ ngày 01/7/2025, mỗi đơn vị liên kết với các đơn vị cũ đã hợp thành nó, nên số liệu trước tháng 7/2025 của đơn vị mới là số liệu gộp của các đơn vị cũ. Không có gì bị sửa hay xoá; nếu có sự cố, không có gì được ghi.</translation>
    </message>
    <message>
        <source>The office becomes:</source>
        <translation>Đơn vị của văn phòng sau khi chuyển:</translation>
    </message>
    <message>
        <source>&amp;Carry over</source>
        <translation>&amp;Chuyển đổi</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Huỷ</translation>
    </message>
    <message>
        <source>The units of {names} come in too, with no figures yet: take in their offices&apos; databases on the next page, or their returns (Excel → Import returns).</source>
        <translation>Các đơn vị của {names} cũng được thêm vào, chưa có số liệu: hãy nhận cơ sở dữ liệu của văn phòng các tỉnh đó ở trang sau, hoặc nhập báo cáo của họ (Excel → Nhập báo cáo).</translation>
    </message>
    <message>
        <source>{n} old communes were divided between new ones: after carrying over you can set how their figures are shared.</source>
        <translation>{n} xã, phường cũ bị chia cho nhiều đơn vị mới: sau khi chuyển đổi, có thể đặt tỷ lệ chia số liệu của chúng.</translation>
    </message>
    <message>
        <source>{name} was added by an officer and has no successor: its figures stay, carried to no new unit.</source>
        <translation>{name} do cán bộ thêm, không có đơn vị kế thừa: số liệu được giữ nguyên nhưng không chuyển sang đơn vị mới nào.</translation>
    </message>
    <message>
        <source>Carrying the database over…</source>
        <translation>Đang chuyển đổi cơ sở dữ liệu…</translation>
    </message>
    <message>
        <source>Use the &amp;default successor for all undecided</source>
        <translation>Dùng đơn vị kế thừa &amp;mặc định cho các xã chưa quyết định</translation>
    </message>
    <message>
        <source>&amp;Take in an old province&apos;s database…</source>
        <translation>&amp;Nhận cơ sở dữ liệu của tỉnh cũ…</translation>
    </message>
    <message>
        <source>The database now follows the two-tier structure; the office is {office}. These old communes were divided between new ones. For each, type the share (%) of its figures that went to each new commune, adding up to 100, or leave it to the default successor the official list names (the figures before July 2025 are then marked as estimated). Until one or the other is chosen, the new communes that took a part say “not comparable” for the time before July 2025.</source>
        <translation>Cơ sở dữ liệu đã theo mô hình hai cấp; đơn vị của văn phòng là {office}. Các xã, phường cũ dưới đây bị chia cho nhiều đơn vị mới. Với mỗi xã, hãy nhập tỷ lệ (%) số liệu chuyển cho từng đơn vị mới, cộng lại bằng 100, hoặc giao cho đơn vị kế thừa mặc định theo danh sách chính thức (số liệu trước tháng 7/2025 khi đó được ghi là ước tính). Khi chưa chọn cách nào, các đơn vị mới nhận một phần ghi “không so sánh được” cho thời gian trước tháng 7/2025.</translation>
    </message>
    <message>
        <source>Old commune</source>
        <translation>Xã, phường cũ</translation>
    </message>
    <message>
        <source>New commune</source>
        <translation>Xã, phường mới</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Mặc định</translation>
    </message>
    <message>
        <source>Share (%)</source>
        <translation>Tỷ lệ (%)</translation>
    </message>
    <message>
        <source>default</source>
        <translation>mặc định</translation>
    </message>
    <message>
        <source>Divided communes</source>
        <translation>Xã, phường bị chia tách</translation>
    </message>
    <message>
        <source>The database of an old province</source>
        <translation>Cơ sở dữ liệu của tỉnh cũ</translation>
    </message>
    <message>
        <source>ParApp databases (*.db);;All files (*)</source>
        <translation>Cơ sở dữ liệu ParApp (*.db);;Mọi tệp (*)</translation>
    </message>
</context>
<context>
    <name>ReportPreview</name>
    <message>
        <source>{n} page(s)</source>
        <translation>{n} trang</translation>
    </message>
    <message>
        <source>&amp;Print…</source>
        <translation>&amp;In…</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Lưu</translation>
    </message>
    <message>
        <source>Save &amp;as…</source>
        <translation>Lưu &amp;thành…</translation>
    </message>
    <message>
        <source>Save the report</source>
        <translation>Lưu báo cáo</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>Tệp PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Saved: {path}</source>
        <translation>Đã lưu: {path}</translation>
    </message>
</context>
<context>
    <name>Reports</name>
    <message>
        <source>&amp;Reports</source>
        <translation>&amp;Báo cáo</translation>
    </message>
    <message>
        <source>&amp;Compliance sheet (PDF)…</source>
        <translation>&amp;Phiếu đánh giá (PDF)…</translation>
    </message>
    <message>
        <source>&amp;Summary of the units below (PDF)…</source>
        <translation>Báo cáo &amp;tổng hợp các đơn vị trực thuộc (PDF)…</translation>
    </message>
    <message>
        <source>Making the report…</source>
        <translation>Đang lập báo cáo…</translation>
    </message>
</context>
<context>
    <name>SendBar</name>
    <message>
        <source>e-mail address of the level above</source>
        <translation>địa chỉ e-mail của cấp trên</translation>
    </message>
    <message>
        <source>Send to the &amp;outbox</source>
        <translation>Đưa vào &amp;hộp thư đi</translation>
    </message>
    <message>
        <source>Write the return and an e-mail draft addressed to the level above into the outbox; open the draft in your mail program to send it.</source>
        <translation>Ghi báo cáo và một thư nháp gửi cấp trên vào hộp thư đi; mở thư nháp bằng chương trình thư điện tử để gửi.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>{unit}, {period}: submitted. Send the return to the level above:</source>
        <translation>{unit}, {period}: đã gửi số liệu. Gửi báo cáo lên cấp trên:</translation>
    </message>
    <message>
        <source>Type the e-mail address of the level above first.</source>
        <translation>Hãy gõ địa chỉ e-mail của cấp trên trước.</translation>
    </message>
</context>
<context>
    <name>SendDialog</name>
    <message>
        <source>Send to DHIS2</source>
        <translation>Gửi lên DHIS2</translation>
    </message>
    <message>
        <source>{unit} and the units below it, {period}: the figures entered, their comments, and the approved returns as complete.</source>
        <translation>{unit} và các đơn vị trực thuộc, {period}: các số liệu đã nhập, ghi chú của chúng, và các báo cáo đã duyệt (là hoàn thành).</translation>
    </message>
    <message>
        <source>A personal access token instead of a password</source>
        <translation>Dùng mã truy cập cá nhân (token) thay cho mật khẩu</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>Máy chủ:</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>Tên đăng nhập:</translation>
    </message>
    <message>
        <source>Password or token:</source>
        <translation>Mật khẩu hoặc token:</translation>
    </message>
    <message>
        <source>&amp;Check (dry run)</source>
        <translation>&amp;Kiểm tra (chạy thử)</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>&amp;Gửi</translation>
    </message>
    <message>
        <source>Send the &amp;waiting ({n})</source>
        <translation>Gửi các bản đang &amp;chờ ({n})</translation>
    </message>
    <message>
        <source>Type the server&apos;s address first.</source>
        <translation>Hãy gõ địa chỉ máy chủ trước.</translation>
    </message>
    <message>
        <source>Type the password (or the token) first; ParApp never keeps it.</source>
        <translation>Hãy gõ mật khẩu (hoặc token) trước; ParApp không bao giờ lưu nó.</translation>
    </message>
    <message>
        <source>Dry run: DHIS2 checked everything and kept nothing.</source>
        <translation>Chạy thử: DHIS2 đã kiểm tra tất cả và chưa lưu gì.</translation>
    </message>
    <message>
        <source>Asking DHIS2…</source>
        <translation>Đang hỏi DHIS2…</translation>
    </message>
    <message>
        <source>Sending to DHIS2…</source>
        <translation>Đang gửi lên DHIS2…</translation>
    </message>
    <message>
        <source>Nothing waits for this server.</source>
        <translation>Không có gì đang chờ gửi lên máy chủ này.</translation>
    </message>
    <message>
        <source>Sending what waits in the outbox…</source>
        <translation>Đang gửi những gì đang chờ trong hộp thư đi…</translation>
    </message>
</context>
<context>
    <name>TargetSetListModel</name>
    <message>
        <source>In use</source>
        <translation>Đang áp dụng</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>Mã</translation>
    </message>
    <message>
        <source>Province</source>
        <translation>Tỉnh</translation>
    </message>
    <message>
        <source>Years</source>
        <translation>Giai đoạn</translation>
    </message>
    <message>
        <source>Targets</source>
        <translation>Số chỉ tiêu</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Tên</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Văn bản</translation>
    </message>
    <message>
        <source>Issuer</source>
        <translation>Cơ quan ban hành</translation>
    </message>
    <message>
        <source>Origin</source>
        <translation>Nguồn gốc</translation>
    </message>
    <message>
        <source>{mark} This target set is in use.</source>
        <translation>{mark} Bộ chỉ tiêu này đang được áp dụng.</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>Nhập từ tệp</translation>
    </message>
    <message>
        <source>Shipped with ParApp</source>
        <translation>Có sẵn trong ParApp</translation>
    </message>
</context>
<context>
    <name>TargetSetModel</name>
    <message>
        <source>Indicator</source>
        <translation>Chỉ số</translation>
    </message>
    <message>
        <source>Levels</source>
        <translation>Cấp</translation>
    </message>
    <message>
        <source>Years</source>
        <translation>Năm</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Chỉ tiêu</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Nguồn</translation>
    </message>
</context>
<context>
    <name>Task</name>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
</context>
<context>
    <name>UnitTreeModel</name>
    <message>
        <source>Unit</source>
        <translation>Đơn vị</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
</context>
</TS>
